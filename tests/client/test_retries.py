"""Retries after connection errors and 503s, through an injected transport that fails as told.

A write is sent again only when it carries an Idempotency-Key that the server honours;
reads are always safe to send again; a 503 wrote nothing, so anything may be.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from playrunner.client import (
    AsyncClient,
    Client,
    ConnectionFailed,
    RateLimited,
    RetryPolicy,
    ServiceUnavailable,
    UnexpectedResponse,
)
from tests.client.totango_standin import FakeTime

PLAY = "66b6ea0c-e855-40a1-b875-d4dd96a58638"
RUN = "5e0f4fd2-8b1c-4b8e-9d40-3c3b6c2f9a10"


class FlakyServer:
    """Fails the first ``failures`` requests as ``fail`` says, then answers ``Success``."""

    def __init__(self, failures: int, fail: Callable[[httpx.Request], httpx.Response]) -> None:
        self.failures = failures
        self.fail = fail
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if len(self.requests) <= self.failures:
            return self.fail(request)
        if request.method == "GET":
            return httpx.Response(200, json=_run())
        return httpx.Response(200, text="Success", headers={"X-Run-Id": RUN})


def _run() -> dict[str, object]:
    return {
        "id": RUN,
        "play_id": PLAY,
        "play": "Follow-up",
        "account_id": "acme",
        "requested_account_id": "acme",
        "runner": "ops@example.com",
        "source": "api",
        "created_at": "2026-11-26T10:00:00Z",
        "status": "completed",
        "task_count": 0,
        "form_request_count": 0,
    }


def drop(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("timed out", request=request)


def unavailable(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        503,
        json={"code": "database_unavailable", "detail": "The database is unavailable"},
        headers={"Retry-After": "1", "Content-Type": "application/problem+json"},
    )


def client(server: FlakyServer, time: FakeTime, **options: object) -> Client:
    return Client(
        "token",
        "http://playrunner.test",
        transport=httpx.MockTransport(server),
        clock=time.clock,
        sleep=time.sleep,
        **options,  # type: ignore[arg-type]
    )


def test_a_keyed_trigger_is_sent_again_after_a_connection_error() -> None:
    server, time = FlakyServer(2, drop), FakeTime()
    with client(server, time) as sdk:
        result = sdk.run_manual_successplay(PLAY, "acme", idempotency_key="crm-1")

    assert str(result.run_id) == RUN
    assert len(server.requests) == 3
    assert {r.headers["idempotency-key"] for r in server.requests} == {"crm-1"}
    assert time.sleeps == [0.5, 1.0]  # backoff, doubling


def test_an_unkeyed_trigger_is_not_sent_again() -> None:
    server, time = FlakyServer(1, drop), FakeTime()
    with client(server, time) as sdk, pytest.raises(ConnectionFailed, match="ReadTimeout"):
        sdk.run_manual_successplay(PLAY, "acme")
    assert len(server.requests) == 1


def test_connection_retries_stop_at_the_bound() -> None:
    server, time = FlakyServer(10, drop), FakeTime()
    with (
        client(server, time, retries=RetryPolicy(transient=2)) as sdk,
        pytest.raises(ConnectionFailed),
    ):
        sdk.run_manual_successplay(PLAY, "acme", idempotency_key="crm-1")
    assert len(server.requests) == 3


def test_reads_are_sent_again() -> None:
    server, time = FlakyServer(1, drop), FakeTime()
    with client(server, time) as sdk:
        run = sdk.get_run(RUN)
    assert str(run.id) == RUN
    assert len(server.requests) == 2


def test_a_503_wrote_nothing_so_any_call_is_sent_again() -> None:
    server, time = FlakyServer(1, unavailable), FakeTime()
    with client(server, time) as sdk:
        sdk.run_manual_successplay(PLAY, "acme")
    assert len(server.requests) == 2
    assert time.sleeps == [1.0]


def test_a_lasting_503_is_raised() -> None:
    server, time = FlakyServer(10, unavailable), FakeTime()
    with client(server, time) as sdk, pytest.raises(ServiceUnavailable) as raised:
        sdk.run_manual_successplay(PLAY, "acme")
    assert raised.value.code == "database_unavailable"
    assert len(server.requests) == 4


def test_a_redirect_is_not_followed_with_the_token() -> None:
    def moved(request: httpx.Request) -> httpx.Response:
        return httpx.Response(301, headers={"Location": "https://elsewhere.test/"})

    server, time = FlakyServer(1, moved), FakeTime()
    with client(server, time) as sdk, pytest.raises(UnexpectedResponse, match="elsewhere"):
        sdk.run_manual_successplay(PLAY, "acme")
    assert len(server.requests) == 1


def test_an_answer_that_is_not_the_apis_is_unexpected() -> None:
    def proxy_page(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, html="<html>Welcome to nginx</html>")

    server, time = FlakyServer(1, proxy_page), FakeTime()
    with client(server, time) as sdk:
        with pytest.raises(UnexpectedResponse, match="not Success"):
            sdk.run_manual_successplay(PLAY, "acme")
        server.failures = 2
        with pytest.raises(UnexpectedResponse, match="Expected JSON"):
            sdk.get_run(RUN)


def test_playrunner_json_is_asked_for_and_read() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = {"status": "Success", "runId": RUN, "taskIds": [RUN], "formRequestIds": []}
        return httpx.Response(200, json=body, headers={"X-Run-Id": RUN})

    with Client("token", "http://playrunner.test", transport=httpx.MockTransport(answer)) as sdk:
        result = sdk.run_manual_successplay(PLAY, "acme")
    assert seen[0].headers["accept"] == "application/json"
    assert json.loads(seen[0].content) == {"successplayId": PLAY, "accountId": "acme"}
    assert [str(t) for t in result.task_ids] == [RUN]


async def test_the_async_client_retries_the_same_way() -> None:
    server, time = FlakyServer(1, drop), FakeTime()
    async with AsyncClient(
        "token",
        "http://playrunner.test",
        transport=httpx.MockTransport(server),
        clock=time.clock,
        sleep=time.async_sleep,
    ) as sdk:
        result = await sdk.run_manual_successplay(PLAY, "acme", idempotency_key="crm-1")
        server.failures = 3
        with pytest.raises(ConnectionFailed):
            await sdk.run_manual_successplay(PLAY, "acme")
    assert str(result.run_id) == RUN
    assert len(server.requests) == 3


def test_a_503_from_totango_is_not_sent_again() -> None:
    """Only Playrunner promises that a 503 wrote nothing; Totango's (or a proxy's) may have."""
    server, time = (
        FlakyServer(1, lambda request: httpx.Response(503, text="Unavailable")),
        FakeTime(),
    )
    with client(server, time, flavor="totango") as sdk, pytest.raises(ServiceUnavailable):
        sdk.run_manual_successplay(PLAY, "acme")
    assert len(server.requests) == 1


def test_absurd_rate_limit_headers_are_read_within_a_day() -> None:
    absurd = {"RateLimit-Limit": "inf", "RateLimit-Remaining": "1e400", "RateLimit-Reset": "1e12"}

    def answer(request: httpx.Request) -> httpx.Response:
        if len(server.requests) == 1:
            return httpx.Response(200, text="Success", headers={"X-Run-Id": RUN, **absurd})
        return httpx.Response(429, json="Too many requests", headers={"Retry-After": "1e12"})

    server, time = FlakyServer(0, drop), FakeTime()
    server.fail = answer
    server.failures = 10
    with client(server, time, pace=100) as sdk:
        result = sdk.run_manual_successplay(PLAY, "acme")
        with pytest.raises(RateLimited) as limited:
            sdk.run_manual_successplay(PLAY, "acme")

    assert str(result.run_id) == RUN
    assert result.rate_limit is None  # a limit of "inf" is no limit the client can use
    assert limited.value.reset_after == 86_400.0


def test_an_unreadable_answer_is_a_client_error() -> None:
    def garbled(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"not gzip", headers={"Content-Encoding": "gzip"})

    server, time = FlakyServer(1, garbled), FakeTime()
    with client(server, time) as sdk, pytest.raises(ConnectionFailed, match="Unreadable"):
        sdk.run_manual_successplay(PLAY, "acme")


def test_pacing_holds_no_longer_than_max_wait_when_the_window_is_spent() -> None:
    spent = {"RateLimit-Limit": "100", "RateLimit-Remaining": "0", "RateLimit-Reset": "1e12"}

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="Success", headers={"X-Run-Id": RUN, **spent})

    server, time = FlakyServer(10, answer), FakeTime()
    with client(server, time, pace=100, retries=RetryPolicy(max_wait=30)) as sdk:
        sdk.run_manual_successplay(PLAY, "acme")
        sdk.run_manual_successplay(PLAY, "acme")

    assert len(server.requests) == 2
    assert time.sleeps
    assert max(time.sleeps) <= 30
