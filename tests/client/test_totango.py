"""The SDK against a stand-in that answers exactly as Totango documents: text bodies, no
run ids, 429 with its headers. Time is fake: the stand-in's window moves only when the
client sleeps on the same clock."""

from __future__ import annotations

import json

import pytest

from playrunner.client import (
    AccountNotFound,
    AsyncClient,
    AuthenticationFailed,
    Client,
    ConnectionFailed,
    NotAuthorized,
    RateLimited,
    RetryPolicy,
    SuccessPlayNotFound,
    SuccessPlayNotManual,
    TriggerResult,
    UnsupportedOperation,
)
from tests.client.totango_standin import FakeTime, TotangoStandIn
from tests.client.worlds import (
    TOTANGO_EVENT_PLAY,
    TOTANGO_OFF_PLAY,
    TOTANGO_PLAY,
    totango_client,
)

NOT_ADMIN = "User is not authorized with role: SERVICE_ADMIN"
NOT_MANUAL = "SuccessPlay is not configured as manual"
DOCUMENTED_HEADERS = {
    "host",
    "app-token",
    "content-type",
    "content-length",
    "accept",
    "accept-encoding",
    "connection",
    "user-agent",
}


def test_success_is_just_success(totango: TotangoStandIn, fake_time: FakeTime) -> None:
    with totango_client(totango, fake_time) as client:
        result = client.run_manual_successplay(TOTANGO_PLAY, "acme")

    assert result == TriggerResult(
        status="Success",
        run_id=None,
        rate_limit=None,  # Totango sends RateLimit-Remaining alone until a 429
    )
    assert totango.runs == [(TOTANGO_PLAY, "acme")]


def test_it_sends_only_what_totango_documents(totango: TotangoStandIn, fake_time: FakeTime) -> None:
    with totango_client(totango, fake_time) as client:
        client.run_manual_successplay(TOTANGO_PLAY, "acme")

    [sent] = totango.requests
    assert sent.path == "/api/v2/automations/run-manual-successplay"
    assert set(sent.headers) <= DOCUMENTED_HEADERS
    assert sent.headers["app-token"] == "admin-token"
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["accept"] == "*/*"
    assert json.loads(sent.body) == {"successplayId": TOTANGO_PLAY, "accountId": "acme"}


def test_an_idempotency_key_is_not_sent_to_totango(
    totango: TotangoStandIn, fake_time: FakeTime
) -> None:
    """Totango documents no such header: code written for both runs unchanged, and Totango
    sees only what it documents."""
    with totango_client(totango, fake_time) as client:
        client.run_manual_successplay(TOTANGO_PLAY, "acme", idempotency_key="crm-1")
    assert set(totango.requests[0].headers) <= DOCUMENTED_HEADERS
    assert "idempotency-key" not in totango.requests[0].headers


@pytest.mark.parametrize(
    ("token", "play", "account", "error", "message"),
    [
        ("user-token", TOTANGO_PLAY, "acme", NotAuthorized, NOT_ADMIN),
        ("admin-token", TOTANGO_OFF_PLAY, "acme", SuccessPlayNotFound, "SuccessPlay not found"),
        ("admin-token", "no-such-play", "acme", SuccessPlayNotFound, "SuccessPlay not found"),
        ("admin-token", TOTANGO_EVENT_PLAY, "acme", SuccessPlayNotManual, NOT_MANUAL),
        ("admin-token", TOTANGO_PLAY, "nobody", AccountNotFound, "Account not found"),
        ("wrong-token", TOTANGO_PLAY, "acme", AuthenticationFailed, "Unauthorized"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("status", [400, 200, 500])
def test_each_documented_message_is_its_own_exception_whatever_the_status(
    totango: TotangoStandIn,
    fake_time: FakeTime,
    token: str,
    play: str,
    account: str,
    error: type[Exception],
    message: str,
    status: int,
) -> None:
    totango.failure_status = status  # Totango does not document these statuses
    with totango_client(totango, fake_time, token) as client, pytest.raises(error) as raised:
        client.run_manual_successplay(play, account)
    assert raised.value.message == message  # type: ignore[attr-defined]
    assert raised.value.code is None  # type: ignore[attr-defined]
    assert totango.runs == []


def test_a_429_is_waited_out_and_retried(totango: TotangoStandIn, fake_time: FakeTime) -> None:
    totango.limit = 3
    with totango_client(totango, fake_time) as client:
        for _ in range(3):
            client.run_manual_successplay(TOTANGO_PLAY, "acme")
        fake_time.sleep(15)  # the window has 45 s left
        fake_time.sleeps.clear()
        client.run_manual_successplay(TOTANGO_PLAY, "acme")

    # Retry-After says 60 and RateLimit-Reset 45: the longer wins.
    assert fake_time.sleeps == [60.0]
    assert len(totango.runs) == 4
    assert len(totango.requests) == 5


def test_retries_stop_at_the_bound_the_caller_sets(
    totango: TotangoStandIn, fake_time: FakeTime
) -> None:
    totango.limit = 0  # a token whose every window is already spent
    retries = RetryPolicy(rate_limited=2)
    with (
        totango_client(totango, fake_time, retries=retries) as client,
        pytest.raises(RateLimited) as raised,
    ):
        client.run_manual_successplay(TOTANGO_PLAY, "acme")

    assert fake_time.sleeps == [60.0, 60.0]
    assert len(totango.requests) == 3
    assert raised.value.message == "Too many requests"
    assert raised.value.reset_after == 60
    assert (raised.value.limit, raised.value.remaining) == (0, 0)


def test_a_wait_longer_than_max_wait_is_raised_at_once(
    totango: TotangoStandIn, fake_time: FakeTime
) -> None:
    totango.limit = 0
    with (
        totango_client(totango, fake_time, retries=RetryPolicy(max_wait=30)) as client,
        pytest.raises(RateLimited),
    ):
        client.run_manual_successplay(TOTANGO_PLAY, "acme")
    assert fake_time.sleeps == []


def test_pacing_keeps_a_job_under_totangos_limit(
    totango: TotangoStandIn, fake_time: FakeTime
) -> None:
    retries = RetryPolicy(rate_limited=0)  # a 429 would raise
    with totango_client(totango, fake_time, pace=100, retries=retries) as client:
        for _ in range(250):
            client.run_manual_successplay(TOTANGO_PLAY, "acme")

    assert len(totango.runs) == 250
    assert fake_time.sleeps == [pytest.approx(0.606)] * 249  # 1% under the limit


def test_a_burst_goes_at_once_then_the_pace_holds(
    totango: TotangoStandIn, fake_time: FakeTime
) -> None:
    with totango_client(totango, fake_time, pace=60, burst=3) as client:
        for _ in range(5):
            client.run_manual_successplay(TOTANGO_PLAY, "acme")
    assert fake_time.sleeps == [pytest.approx(1.01)] * 2


def test_a_write_without_a_key_is_never_sent_twice(
    totango: TotangoStandIn, fake_time: FakeTime
) -> None:
    totango.drop_next = 1
    with totango_client(totango, fake_time) as client, pytest.raises(ConnectionFailed):
        client.run_manual_successplay(TOTANGO_PLAY, "acme")
    assert len(totango.requests) == 1


def test_totango_ignores_keys_so_a_keyed_write_is_not_resent_there_either(
    totango: TotangoStandIn, fake_time: FakeTime
) -> None:
    totango.drop_next = 1
    with totango_client(totango, fake_time) as client, pytest.raises(ConnectionFailed):
        client.run_manual_successplay(TOTANGO_PLAY, "acme", idempotency_key="k")
    assert len(totango.requests) == 1


def test_playrunners_calls_are_refused_before_sending(
    totango: TotangoStandIn, fake_time: FakeTime
) -> None:
    with totango_client(totango, fake_time) as client:
        for call in (
            client.list_accounts,
            lambda: client.dry_run(TOTANGO_PLAY, "acme"),
            lambda: client.run_bulk(TOTANGO_PLAY, ["acme"]),
            lambda: client.get_run("5e0f4fd2-8b1c-4b8e-9d40-3c3b6c2f9a10"),
        ):
            with pytest.raises(UnsupportedOperation, match="Playrunner's API"):
                call()
    assert totango.requests == []


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [("us", "https://api.totango.com"), ("EU", "https://api-eu1.totango.com")],
)
def test_region_presets_are_totangos_hosts(base_url: str, expected: str) -> None:
    client = Client("token", base_url)
    assert (client.base_url, client.flavor) == (expected, "totango")
    assert Client("token", "http://127.0.0.1:8000/").flavor == "playrunner"
    assert Client("token", "http://127.0.0.1:8000/").base_url == "http://127.0.0.1:8000"


@pytest.mark.parametrize("base_url", ["mars", "ftp://example.com", ""])
def test_a_bad_base_url_is_refused(base_url: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        Client("token", base_url)


async def test_the_async_client_against_totango(
    totango: TotangoStandIn, fake_time: FakeTime
) -> None:
    totango.limit = 1
    async with AsyncClient(
        "admin-token",
        totango.url,
        flavor="totango",
        clock=fake_time.clock,
        sleep=fake_time.async_sleep,
    ) as client:
        first = await client.run_manual_successplay(TOTANGO_PLAY, "acme")
        second = await client.run_manual_successplay(TOTANGO_PLAY, "globex")
        with pytest.raises(AccountNotFound):
            await client.run_manual_successplay(TOTANGO_PLAY, "nobody")

    assert (first.run_id, second.run_id) == (None, None)
    assert fake_time.sleeps == [60.0, 60.0]  # before globex, and before nobody
    assert totango.runs == [(TOTANGO_PLAY, "acme"), (TOTANGO_PLAY, "globex")]
