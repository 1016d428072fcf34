"""/healthz and /readyz, and the service's behaviour while PostgreSQL or Redis is away."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url

from playrunner.api.state import AppState
from playrunner.app import create_app
from playrunner.config import Settings
from playrunner.db import PING_IDLE_SECONDS, Database
from playrunner.models import Run, Task
from tests.factories import Factory
from tests.live_server import LiveServer
from tests.services import PostgresDatabase, require_redis
from tests.tcp_proxy import TcpProxy
from tests.worlds import ServiceWorld, body, trigger


def test_healthz_answers_without_a_token(http: httpx.Client) -> None:
    response = http.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readyz_reports_the_database_and_the_limiter(http: httpx.Client, database_url: str) -> None:
    response = http.get("/readyz")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "ready"
    assert report["checks"]["database"] == {
        "ok": True,
        "backend": make_url(database_url).get_backend_name(),
        "detail": "reachable",
    }
    assert report["checks"]["rate_limit"]["backend"] == "memory"


@pytest.fixture
def redis_proxy() -> Iterator[TcpProxy]:
    target = make_url(require_redis())
    with TcpProxy(target.host or "127.0.0.1", target.port or 6379) as proxy:
        yield proxy


def test_without_redis_calls_keep_working_and_readyz_says_why(
    database_url: str, factory: Factory, redis_proxy: TcpProxy
) -> None:
    world = ServiceWorld(factory)
    settings = Settings(
        database_url=database_url,
        redis_url=f"redis://127.0.0.1:{redis_proxy.port}/0",
        redis_retry_seconds=0,
    )
    with LiveServer(create_app(settings)) as live, httpx.Client(base_url=live.url) as client:
        assert client.get("/readyz").json()["checks"]["rate_limit"]["ok"] is True
        before = trigger(client, world.admin_token, body(world.play, "acme"))
        assert before.headers["ratelimit-remaining"] == "99"

        redis_proxy.cut()
        during = trigger(client, world.admin_token, body(world.play, "acme"))
        ready = client.get("/readyz")

        redis_proxy.restore()
        after = trigger(client, world.admin_token, body(world.play, "acme"))
        ready_again = client.get("/readyz")

    assert (during.status_code, during.text) == (200, "Success")
    assert during.headers["ratelimit-remaining"] == "99"  # this process's own count
    assert ready.status_code == 503
    assert ready.json()["checks"]["rate_limit"]["ok"] is False
    assert "per process" in ready.json()["checks"]["rate_limit"]["detail"]
    assert ready.json()["checks"]["database"]["ok"] is True
    assert after.headers["ratelimit-remaining"] == "98"  # Redis's count again
    assert ready_again.status_code == 200


@pytest.fixture
def proxied_postgres(postgres: PostgresDatabase) -> Iterator[tuple[TcpProxy, str]]:
    postgres.empty()
    target = make_url(postgres.url)
    with TcpProxy(target.host or "127.0.0.1", target.port or 5432) as proxy:
        url = target.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        yield proxy, url
    postgres.empty()


def test_postgres_outage_answers_503_and_service_resumes_by_itself(
    proxied_postgres: tuple[TcpProxy, str],
) -> None:
    proxy, url = proxied_postgres
    database = Database(url)
    world = ServiceWorld(Factory(database))
    with (
        LiveServer(create_app(Settings(database_url=url))) as live,
        httpx.Client(base_url=live.url) as client,
    ):
        assert trigger(client, world.admin_token, body(world.play, "acme")).status_code == 200
        proxy.cut()
        down = trigger(client, world.admin_token, body(world.play, "acme"))
        down_json = trigger(
            client, world.admin_token, body(world.play, "acme"), accept="application/json"
        )
        ready = client.get("/readyz")
        proxy.restore()
        back = trigger(client, world.admin_token, body(world.play, "acme"))

    assert down.status_code == 503
    assert down.headers["retry-after"] == "1"
    assert down_json.json()["detail"] == (
        "The database is unavailable or busy; nothing was written. Retry shortly."
    )
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"]["ok"] is False
    assert (back.status_code, back.text) == (200, "Success")
    with database.session(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(Run)) == 2
    database.dispose()


def test_connections_that_died_while_idle_are_replaced_before_a_request_gets_one(
    proxied_postgres: tuple[TcpProxy, str],
) -> None:
    proxy, url = proxied_postgres
    world = ServiceWorld(Factory(Database(url)))
    with (
        LiveServer(create_app(Settings(database_url=url))) as live,
        httpx.Client(base_url=live.url) as client,
    ):
        first = trigger(client, world.admin_token, body(world.play, "acme"))
        proxy.cut()  # PostgreSQL goes away and comes back while no request is in flight
        proxy.restore()
        time.sleep(PING_IDLE_SECONDS + 0.2)
        after = trigger(client, world.admin_token, body(world.play, "acme"))

    assert first.status_code == 200
    assert (after.status_code, after.text) == (200, "Success")


def test_postgres_dying_in_the_middle_of_a_run_leaves_nothing_half_written(
    proxied_postgres: tuple[TcpProxy, str],
) -> None:
    proxy, url = proxied_postgres
    database = Database(url)
    world = ServiceWorld(Factory(database))
    app = create_app(Settings(database_url=url))
    state: AppState = app.state.playrunner

    def cut_before_tasks(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("INSERT INTO tasks"):
            proxy.cut()  # the run row has been sent; the connection dies before its task

    event.listen(state.database.serving_engine, "before_cursor_execute", cut_before_tasks)
    with LiveServer(app) as live, httpx.Client(base_url=live.url) as client:
        response = trigger(client, world.admin_token, body(world.play, "acme"))
        event.remove(state.database.serving_engine, "before_cursor_execute", cut_before_tasks)
        proxy.restore()
        again = trigger(client, world.admin_token, body(world.play, "acme"))

    assert response.status_code == 503
    assert again.status_code == 200
    with database.session(read_only=True) as session:
        runs = session.scalars(select(Run)).all()
        assert [run.id for run in runs] == [uuid.UUID(again.headers["x-run-id"])]
        assert session.scalar(select(func.count()).select_from(Task)) == 1
    database.dispose()


def test_a_postgres_outage_logs_one_line_per_kind_of_failure_without_sql_or_data(
    proxied_postgres: tuple[TcpProxy, str], caplog: pytest.LogCaptureFixture
) -> None:
    proxy, url = proxied_postgres
    database = Database(url)
    world = ServiceWorld(Factory(database))
    token = {"app-token": world.admin_token}
    calls = 0
    with (
        LiveServer(create_app(Settings(database_url=url))) as live,
        httpx.Client(base_url=live.url) as client,
    ):
        assert trigger(client, world.admin_token, body(world.play, "acme")).status_code == 200
        caplog.clear()
        caplog.set_level(logging.INFO, logger="playrunner")
        proxy.cut()
        for _ in range(10):
            answers = [
                trigger(client, world.admin_token, body(world.play, "acme")),
                client.get("/api/v1/accounts/acme", headers=token),
                client.patch("/api/v1/accounts/acme", json={"name": "Secret Co"}, headers=token),
            ]
            assert [answer.status_code for answer in answers] == [503, 503, 503]
            calls += len(answers)
        proxy.restore()
        assert trigger(client, world.admin_token, body(world.play, "acme")).status_code == 200
    database.dispose()

    lines = [r.getMessage() for r in caplog.records if r.name.startswith("playrunner")]
    assert lines, "the outage was not logged"
    for line in lines:
        assert "\n" not in line, line
        # No SQL, and none of its parameters (the account's name sent, its id bound).
        assert not any(word in line for word in ("SELECT", "INSERT", "UPDATE", "Secret", "'acme'"))
    assert all(r.exc_info is None for r in caplog.records if r.name.startswith("playrunner"))
    # The same failure, 30 times in a few seconds: one line, not thirty.
    assert len([line for line in lines if line.startswith("database error")]) < calls / 3
