"""What each worker of ``playrunner serve`` does once it has built the app: it puts what
start-up made out of the garbage collector's sight (``server.serving_app``), so that a full
collection under load no longer walks it."""

from __future__ import annotations

import gc

import pytest
from fastapi import FastAPI

from playrunner.api.state import AppState
from playrunner.server import serving_app


def test_a_worker_freezes_what_it_built_at_start_up(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLAYRUNNER_DATABASE_URL", sqlite_url)
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        app = serving_app()
        frozen = gc.get_freeze_count()
    finally:
        gc.unfreeze()  # the test process goes on collecting as before
    state: AppState = app.state.playrunner
    state.database.dispose()
    assert isinstance(app, FastAPI)
    assert frozen > 10_000  # the app, its routes, the models' metadata: not a handful
