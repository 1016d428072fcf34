"""What each worker of ``playrunner serve`` does once it has built the app: it puts what
start-up made out of the garbage collector's sight (``server.serving_app``), so that a full
collection under load no longer walks it; and that on PostgreSQL it keeps at most the
configured number of connections."""

from __future__ import annotations

import asyncio
import gc

import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.orm import Session

from playrunner.api.state import AppState
from playrunner.app import create_app
from playrunner.config import Settings
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


@pytest.mark.postgresql_only
def test_a_serving_process_keeps_at_most_the_configured_postgresql_connections(
    database_url: str,
) -> None:
    app = create_app(Settings(database_url=database_url, database_pool_size=3))
    state: AppState = app.state.playrunner
    pool = state.database.serving_engine.pool
    in_use: list[int] = []

    def held(session: Session) -> int:
        session.execute(text("SELECT pg_sleep(0.2)"))
        in_use.append(pool.checkedout())  # type: ignore[attr-defined]
        return 1

    async def six_at_once() -> int:
        answers = await asyncio.gather(*(state.database.read(held) for _ in range(6)))
        await state.database.aclose()
        return sum(answers)

    try:
        answered = asyncio.run(six_at_once())
    finally:
        state.database.dispose()
    # Six calls at once on three connections: all answered, three waiting for the others.
    assert answered == 6
    assert max(in_use) == 3
