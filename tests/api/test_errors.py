"""Failures that are not the caller's: a clean problem document, no trace, nothing written."""

from __future__ import annotations

import logging
import socket
import sqlite3

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from playrunner.app import create_app
from playrunner.config import Settings
from playrunner.db import Database
from playrunner.models import Run, Task
from tests.factories import Factory, task_play
from tests.faults import database_refuses
from tests.live_server import LiveServer
from tests.worlds import ApiWorld, ServiceWorld, body, problem, trigger


def test_database_failure_mid_run_answers_500_without_a_trace_and_writes_nothing(
    http: httpx.Client, factory: Factory, database: Database
) -> None:
    world = ServiceWorld(factory)
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
        text = trigger(http, world.admin_token, body(play, "acme"))
        response = trigger(http, world.admin_token, body(play, "acme"), accept="application/json")

    # Totango clients get the message as text, like every other failure of this route.
    assert (text.status_code, text.text) == (
        500,
        "The request failed inside Playrunner; nothing was written.",
    )
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
    world = ServiceWorld(factory)
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
    assert "nothing was written" in locked.text
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
    assert response.headers["allow"] == "POST"
    assert response.json()["detail"] == (
        "GET is not allowed on /api/v2/automations/run-manual-successplay; it allows POST"
    )


def test_a_client_that_hangs_up_mid_request_is_not_an_error(
    settings: Settings, factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    world = ServiceWorld(factory)
    with LiveServer(create_app(settings)) as live:
        host, port = live.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as raw:
            raw.sendall(
                b"POST /api/v2/automations/run-manual-successplay HTTP/1.1\r\nHost: x\r\n"
                b"app-token: " + world.admin_token.encode() + b"\r\n"
                b'Content-Length: 100\r\n\r\n{"succ'
            )
        with httpx.Client(base_url=live.url) as client:
            assert client.get("/healthz").status_code == 200
    # The server has stopped, so the hang-up has been handled: quietly.
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def test_nul_characters_are_bad_input_not_a_crash(api: ApiWorld) -> None:
    trigger_body = {"successplayId": "x", "accountId": "ac\x00me"}
    response = api.admin.post("/api/v2/automations/run-manual-successplay", json=trigger_body)
    assert (response.status_code, response.text) == (
        400,
        "accountId must not contain NUL characters",
    )
    created = api.admin.post("/api/v1/accounts", json={"account_id": "a", "name": "x\x00"})
    assert "NUL" in problem(created, 400)["detail"]
    # In the path, where no model sees it, the database's refusal becomes a 400 as well.
    problem(api.admin.get("/api/v1/accounts/a%00b"), 400)


def test_an_absurd_offset_is_refused(api: ApiWorld) -> None:
    assert problem(api.admin.get("/api/v1/accounts", params={"offset": 10**20}), 400)["field"] == (
        "query.offset"
    )


def test_a_body_nested_too_deeply_is_bad_input_naming_the_body(api: ApiWorld) -> None:
    deep = "[" * 5000 + "]" * 5000
    headers = {"Content-Type": "application/json"}
    refused = problem(api.admin.post("/api/v1/accounts", content=deep, headers=headers), 400)
    assert (refused["code"], refused["field"]) == ("invalid_request", "body")
    assert "could not be parsed as JSON" in refused["detail"]


@pytest.mark.parametrize("chunked", [False, True])
def test_a_body_over_the_limit_gets_413_without_being_read_whole(
    database_url: str, factory: Factory, chunked: bool, caplog: pytest.LogCaptureFixture
) -> None:
    world = ServiceWorld(factory)
    app = create_app(Settings(database_url=database_url, max_body_bytes=4096))
    payload = b'{"accounts": [' + b" " * 10_000 + b"]}"
    content = iter([payload[:5000], payload[5000:]]) if chunked else payload
    with LiveServer(app) as live, httpx.Client(base_url=live.url) as client:
        response = client.post(
            "/api/v1/accounts/bulk",
            content=content,
            headers={"app-token": world.admin_token, "content-type": "application/json"},
        )
        small = client.post(
            "/api/v1/accounts/bulk",
            json={"accounts": []},
            headers={"app-token": world.admin_token},
        )
    assert response.status_code == 413
    assert response.json()["detail"].endswith("Request body is larger than 4096 bytes")
    assert small.status_code == 200
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
