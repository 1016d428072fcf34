"""Failures that are not the caller's: a clean problem document, no trace, nothing written."""

from __future__ import annotations

import sqlite3

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from playrunner.app import create_app
from playrunner.config import Settings
from playrunner.db import Database
from playrunner.models import Run, Task
from tests.automations.test_router import World, body, trigger
from tests.factories import Factory, task_play
from tests.faults import database_refuses
from tests.live_server import LiveServer


def test_database_failure_mid_run_answers_500_without_a_trace_and_writes_nothing(
    http: httpx.Client, factory: Factory, database: Database
) -> None:
    world = World(factory)
    factory.form(world.tenant)
    play = factory.play(
        world.tenant,
        task_play(
            actions=[
                {"type": "create_task", "title": "t", "description": "d"},
                {"type": "request_information", "form": "Sentiment"},
            ]
        ),
    )
    with database_refuses(database, "form_requests"):
        response = trigger(http, world.admin_token, body(play, "acme"))

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["detail"] == "The request failed inside Playrunner; nothing was written."
    assert "Traceback" not in response.text
    assert "disk says no" not in response.text
    assert problem["request_id"] == response.headers["x-request-id"]
    with database.session(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(Run)) == 0
        assert session.scalar(select(func.count()).select_from(Task)) == 0


@pytest.mark.sqlite_only
def test_a_locked_database_answers_503_and_the_next_call_succeeds(
    factory: Factory, database_url: str, database: Database
) -> None:
    world = World(factory)
    settings = Settings(database_url=database_url, sqlite_busy_timeout_ms=50)
    other_process = sqlite3.connect(make_url(database_url).database or "", isolation_level=None)
    with LiveServer(create_app(settings)) as live, httpx.Client(base_url=live.url) as client:
        # Another writer holds SQLite's lock for longer than the server will wait for it.
        other_process.execute("BEGIN IMMEDIATE")
        locked = trigger(client, world.admin_token, body(world.play, "acme"))
        other_process.execute("ROLLBACK")
        after = trigger(client, world.admin_token, body(world.play, "acme"))
    other_process.close()

    assert locked.status_code == 503
    assert locked.headers["retry-after"] == "1"
    assert "nothing was written" in locked.json()["detail"]
    assert (after.status_code, after.text) == (200, "Success")
    with database.session(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(Run)) == 1


def test_unknown_routes_answer_problem_details(http: httpx.Client) -> None:
    response = http.get("/api/v2/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "GET /api/v2/nothing-here: Not Found"
    assert response.headers["x-request-id"]


def test_wrong_method_answers_405_problem(http: httpx.Client) -> None:
    response = http.get("/api/v2/automations/run-manual-successplay")
    assert response.status_code == 405
    assert response.json()["status"] == 405
