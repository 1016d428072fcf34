"""The per-token rate limit over real HTTP, with the clock moved by time-machine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
import time_machine

from playrunner.app import create_app
from playrunner.config import Settings
from tests.factories import Factory
from tests.live_server import LiveServer
from tests.worlds import ServiceWorld, body, trigger


def test_101st_call_in_a_minute_gets_429_then_the_window_moves_on(
    http: httpx.Client, factory: Factory
) -> None:
    world = ServiceWorld(factory)
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False) as traveller:
        remaining = []
        for _ in range(100):
            response = trigger(http, world.admin_token, body(world.play, "nope"))
            assert response.status_code == 400  # failed calls count too
            remaining.append(int(response.headers["ratelimit-remaining"]))
        assert remaining == list(range(99, -1, -1))

        throttled = trigger(http, world.admin_token, body(world.play, "acme"))

        assert throttled.status_code == 429
        assert throttled.headers["content-type"] == "application/json"
        assert throttled.content == b'"Too many requests"'
        assert throttled.headers["ratelimit-limit"] == "100"
        assert throttled.headers["ratelimit-remaining"] == "0"
        assert throttled.headers["ratelimit-reset"] == "60"
        assert throttled.headers["retry-after"] == "60"

        traveller.shift(timedelta(seconds=30))
        later = trigger(http, world.admin_token, body(world.play, "acme"))
        assert later.status_code == 429
        assert later.headers["ratelimit-reset"] == "30"

        traveller.shift(timedelta(seconds=31))
        after_window = trigger(http, world.admin_token, body(world.play, "acme"))
        assert (after_window.status_code, after_window.text) == (200, "Success")
        assert after_window.headers["ratelimit-remaining"] == "99"


def test_the_limit_is_per_token(http: httpx.Client, factory: Factory) -> None:
    world = ServiceWorld(factory)
    second_token = factory.token(world.admin)
    with time_machine.travel(datetime.now(UTC), tick=False):
        for _ in range(100):
            trigger(http, world.admin_token, body(world.play, "nope"))
        assert trigger(http, world.admin_token, body(world.play, "acme")).status_code == 429
        fresh = trigger(http, second_token, body(world.play, "acme"))
    assert fresh.status_code == 200
    assert fresh.headers["ratelimit-remaining"] == "99"


def test_rate_limit_comes_before_the_role_check(http: httpx.Client, factory: Factory) -> None:
    world = ServiceWorld(factory)
    with time_machine.travel(datetime.now(UTC), tick=False):
        for _ in range(100):
            assert trigger(http, world.user_token, body(world.play, "acme")).status_code == 403
        assert trigger(http, world.user_token, body(world.play, "acme")).status_code == 429


def test_json_clients_get_a_problem_document_on_429(database_url: str, factory: Factory) -> None:
    world = ServiceWorld(factory)
    app = create_app(Settings(database_url=database_url, rate_limit="2/minute"))
    with LiveServer(app) as live, httpx.Client(base_url=live.url) as client:
        for _ in range(2):
            trigger(client, world.admin_token, body(world.play, "acme"))
        response = trigger(
            client, world.admin_token, body(world.play, "acme"), accept="application/json"
        )
    assert response.status_code == 429
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "Too many requests"
    assert response.headers["ratelimit-limit"] == "2"
    assert int(response.headers["retry-after"]) >= 1


def test_the_configured_limit_applies(database_url: str, factory: Factory) -> None:
    world = ServiceWorld(factory)
    app = create_app(Settings(database_url=database_url, rate_limit="3/hour"))
    with LiveServer(app) as live, httpx.Client(base_url=live.url) as client:
        statuses = [
            trigger(client, world.admin_token, body(world.play, "acme")).status_code
            for _ in range(4)
        ]
        reset = int(
            trigger(client, world.admin_token, body(world.play, "acme")).headers["ratelimit-reset"]
        )
    assert statuses == [200, 200, 200, 429]
    assert 3590 <= reset <= 3600


@pytest.mark.parametrize("rate", ["lots", "100 per fortnight", ""])
def test_a_bad_rate_setting_is_refused_with_its_name(rate: str) -> None:
    with pytest.raises(ValueError, match="PLAYRUNNER_RATE_LIMIT"):
        Settings(rate_limit=rate)
