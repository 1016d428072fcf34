"""The SDK against a live Playrunner over real HTTP: every outcome of the trigger, the
extensions (idempotency, skips, dry runs, bulk, run status) and the management API."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from playrunner.app import create_app
from playrunner.client import (
    AccountNotFound,
    AsyncClient,
    AuthenticationFailed,
    Client,
    Conflict,
    IdempotencyKeyReused,
    InvalidRequest,
    NotAuthorized,
    NotFound,
    RateLimited,
    RetryPolicy,
    SuccessPlayNotFound,
    SuccessPlayNotManual,
)
from playrunner.config import Settings
from tests.client.totango_standin import FakeTime
from tests.live_server import LiveServer
from tests.worlds import PlayrunnerWorld


def test_a_trigger_returns_the_run_and_what_it_created(world: PlayrunnerWorld) -> None:
    with world.client() as client:
        result = client.run_manual_successplay(world.play.id, "acme")
        run = client.get_run(result.run_id or uuid.uuid4())

    assert result.status == "Success"
    assert result.run_id is not None
    assert not result.skipped
    assert not result.replayed
    assert len(result.task_ids) == 1
    assert result.location == f"/api/v2/automations/runs/{result.run_id}"
    assert result.rate_limit is not None
    assert (result.rate_limit.limit, result.rate_limit.remaining) == (100, 99)
    assert run.id == result.run_id
    assert run.account_id == "acme"
    assert [task.id for task in run.tasks] == list(result.task_ids)
    assert run.tasks[0].title == "Follow up with Acme"
    assert run.tasks[0].assignee == world.csm.email


@pytest.mark.parametrize(
    ("play", "account", "error", "message"),
    [
        ("inactive_play", "acme", SuccessPlayNotFound, "SuccessPlay not found"),
        ("unknown", "acme", SuccessPlayNotFound, "SuccessPlay not found"),
        ("event_play", "acme", SuccessPlayNotManual, "SuccessPlay is not configured as manual"),
        ("play", "nobody", AccountNotFound, "Account not found"),
    ],
)
def test_each_documented_failure_is_its_own_exception(
    world: PlayrunnerWorld, play: str, account: str, error: type[Exception], message: str
) -> None:
    play_id = uuid.uuid4() if play == "unknown" else getattr(world, play).id
    with world.client() as client, pytest.raises(error) as raised:
        client.run_manual_successplay(play_id, account)
    assert raised.value.message == message  # type: ignore[attr-defined]
    assert raised.value.status_code == 400  # type: ignore[attr-defined]
    assert raised.value.request_id  # type: ignore[attr-defined]


def test_a_non_admin_is_not_authorized_and_a_bad_token_fails_authentication(
    world: PlayrunnerWorld,
) -> None:
    with world.client(world.user_token) as client, pytest.raises(NotAuthorized) as refused:
        client.run_manual_successplay(world.play.id, "acme")
    with world.client("prpat_not-a-token") as client, pytest.raises(AuthenticationFailed) as bad:
        client.run_manual_successplay(world.play.id, "acme")

    assert refused.value.message == "User is not authorized with role: SERVICE_ADMIN"
    assert refused.value.code == "permission_denied"
    assert bad.value.status_code == 401


def test_an_idempotency_key_replays_the_first_answer(world: PlayrunnerWorld) -> None:
    with world.client() as client:
        first = client.run_manual_successplay(world.play.id, "acme", idempotency_key="crm-1")
        again = client.run_manual_successplay(world.play.id, "acme", idempotency_key="crm-1")
        with pytest.raises(IdempotencyKeyReused):
            client.run_manual_successplay(world.play.id, "globex", idempotency_key="crm-1")
        runs = client.list_runs(play=world.play.id)

    assert again.run_id == first.run_id
    assert again.replayed
    assert not first.replayed
    assert runs.total == 1


def test_an_idempotency_key_is_checked_before_sending(world: PlayrunnerWorld) -> None:
    with world.client() as client, pytest.raises(ValueError, match="printable ASCII"):
        client.run_manual_successplay(world.play.id, "acme", idempotency_key="tab\tkey")


def test_a_skipped_trigger_names_the_open_run(world: PlayrunnerWorld) -> None:
    with world.client() as client:
        first = client.run_manual_successplay(world.skip_play.id, "acme")
        second = client.run_manual_successplay(world.skip_play.id, "acme")

    assert not first.skipped
    assert second.skipped
    assert second.run_id == first.run_id


def test_a_dry_run_shows_what_would_be_made_and_writes_nothing(world: PlayrunnerWorld) -> None:
    with world.client() as client:
        preview = client.dry_run(world.form_play.id, "acme")
        with pytest.raises(AccountNotFound):
            client.dry_run(world.form_play.id, "nobody")
        runs = client.list_runs()

    assert preview.status == "DryRun"
    assert preview.successplay_id == world.form_play.id
    assert preview.account.account_id == "acme"
    assert preview.tasks == ()
    assert [(r.form, r.assignee) for r in preview.form_requests] == [("Sentiment", world.csm.email)]
    assert preview.form_requests[0].instructions == "How is Acme?"
    assert runs.total == 0


def test_bulk_runs_by_ids_and_by_attributes(world: PlayrunnerWorld) -> None:
    with world.client() as client:
        by_ids = client.run_bulk(world.play.id, ["acme", "nobody"], idempotency_key="bulk-1")
        replay = client.run_bulk(world.play.id, ["acme", "nobody"], idempotency_key="bulk-1")
        by_segment = client.run_bulk(world.play.id, attributes={"segment": "SMB"})
        with pytest.raises(SuccessPlayNotManual):
            client.run_bulk(world.event_play.id, ["acme"])
        with pytest.raises(ValueError, match="either"):
            client.run_bulk(world.play.id)

    assert (by_ids.succeeded, by_ids.skipped, by_ids.failed) == (1, 0, 1)
    assert [(r.account_id, r.status) for r in by_ids.results] == [
        ("acme", "success"),
        ("nobody", "not_found"),
    ]
    assert by_ids.results[0].run_id is not None
    assert by_ids.results[1].message == "Account not found"
    assert replay.replayed
    assert replay.results == by_ids.results
    assert sorted(r.account_id for r in by_segment.results) == ["globex", "initech"]


def test_the_management_api(world: PlayrunnerWorld) -> None:
    with world.client() as client:
        created = client.create_account(
            "umbrella", "Umbrella", attributes={"segment": "SMB"}, roles={}
        )
        with pytest.raises(Conflict):
            client.create_account("umbrella", "Umbrella again")
        changed = client.update_account("umbrella", {"attributes": {"sentiment": "Red"}})
        smb = client.list_accounts(attributes={"segment": "SMB"})
        replaced = client.put_account("umbrella", "Umbrella Corp", parent_account_id="acme")
        upserted = client.upsert_accounts([{"account_id": "hooli", "name": "Hooli"}, {}])
        client.delete_account("umbrella")
        with pytest.raises(NotFound):
            client.get_account("umbrella")

        plays = client.list_plays(trigger="manual", status="active")
        disabled = client.disable_play(world.play.id)
        enabled = client.enable_play(world.play.id)

        result = client.run_manual_successplay(world.form_play.id, "acme")
        form_request = client.get_form_request(result.form_request_ids[0])
        answered = client.submit_form_request(form_request.id, {"sentiment": "Yellow"})
        with pytest.raises(Conflict):
            client.cancel_form_request(form_request.id)

        task = client.create_task("acme", "Call the CFO", priority=1, assignee=world.csm.email)
        done = client.update_task(task.id, {"status": "completed"})
        open_tasks = client.list_tasks(account="acme", status="open")
        client.delete_task(task.id)
        with pytest.raises(NotFound):
            client.get_task(task.id)

        runs = client.list_runs(account="acme")
        account = client.get_account("acme")
        play = client.get_play(world.form_play.id)

    assert created.attributes == {"segment": "SMB"}
    assert changed.attributes == {"segment": "SMB", "sentiment": "Red"}
    assert (replaced.name, replaced.parent_account_id, replaced.attributes) == (
        "Umbrella Corp",
        "acme",
        {},
    )
    assert [a.account_id for a in smb.items] == ["globex", "initech", "umbrella"]
    assert (smb.total, smb.has_more) == (3, False)
    assert (upserted.created, upserted.failed) == (1, 1)
    assert world.play.id in {p.id for p in plays.items}
    assert (disabled.active, enabled.active) == (False, True)
    assert (answered.status, answered.answers) == ("submitted", {"sentiment": "Yellow"})
    assert account.attributes["sentiment"] == "Yellow"
    assert (task.priority, task.status, done.status) == (1, "not_started", "completed")
    assert task.id not in {t.id for t in open_tasks.items}
    assert [r.id for r in runs.items] == [result.run_id]
    assert play.actions[0]["type"] == "request_information"


def test_pages_hold_the_total_and_the_place(world: PlayrunnerWorld) -> None:
    with world.client() as client:
        first = client.list_accounts(limit=2)
        rest = client.list_accounts(limit=2, offset=2)
    assert [a.account_id for a in first.items + rest.items] == ["acme", "globex", "initech"]
    assert (first.has_more, rest.has_more) == (True, False)


def test_bad_input_names_the_field(world: PlayrunnerWorld) -> None:
    with world.client() as client, pytest.raises(InvalidRequest) as raised:
        client.create_task("acme", "")
    assert raised.value.field is not None
    assert "title" in raised.value.field


async def test_the_async_client_does_the_same(world: PlayrunnerWorld) -> None:
    async with AsyncClient(world.admin_token, world.url) as client:
        result = await client.run_manual_successplay(world.play.id, "acme")
        run = await client.get_run(result.run_id or uuid.uuid4())
        with pytest.raises(AccountNotFound):
            await client.run_manual_successplay(world.play.id, "nobody")
        bulk = await client.run_bulk(world.play.id, ["globex"])
        accounts = await client.list_accounts()

    assert run.tasks[0].id == result.task_ids[0]
    assert bulk.succeeded == 1
    assert accounts.total == 3


# The rate limit, with the server's clock moved by time-machine instead of sleeping --------


@pytest.fixture
def tight_server(settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(create_app(settings.model_copy(update={"rate_limit": "3/minute"}))) as live:
        yield live


def test_a_429_is_waited_out_as_the_server_says_then_retried(
    world: PlayrunnerWorld, tight_server: LiveServer, fake_time: FakeTime
) -> None:
    with time_machine.travel(datetime.now(UTC), tick=False) as traveller:

        def sleep(seconds: float) -> None:
            fake_time.sleep(seconds)
            traveller.shift(timedelta(seconds=seconds))

        with Client(world.admin_token, tight_server.url, clock=fake_time.clock, sleep=sleep) as c:
            results = [c.run_manual_successplay(world.play.id, "acme") for _ in range(4)]

    assert fake_time.sleeps == [60.0]  # RateLimit-Reset and Retry-After both said 60 s
    assert len({r.run_id for r in results}) == 4


def test_rate_limited_beyond_the_retries_allowed_carries_the_reset_time(
    world: PlayrunnerWorld, tight_server: LiveServer, fake_time: FakeTime
) -> None:
    options = RetryPolicy(rate_limited=0)
    with time_machine.travel(datetime.now(UTC), tick=False) as traveller:
        with Client(world.admin_token, tight_server.url, retries=options) as client:
            for _ in range(3):
                client.run_manual_successplay(world.play.id, "acme")
            traveller.shift(timedelta(seconds=20))
            with pytest.raises(RateLimited) as raised:
                client.run_manual_successplay(world.play.id, "acme")
        expected = datetime.now(UTC) + timedelta(seconds=40)

    assert raised.value.reset_after == 40
    assert raised.value.reset_at == expected
    assert (raised.value.limit, raised.value.remaining) == (3, 0)


def test_pacing_stays_under_the_limit_instead_of_hitting_it(
    world: PlayrunnerWorld, tight_server: LiveServer, fake_time: FakeTime
) -> None:
    with time_machine.travel(datetime.now(UTC), tick=False) as traveller:

        def sleep(seconds: float) -> None:
            fake_time.sleep(seconds)
            traveller.shift(timedelta(seconds=seconds))

        with Client(
            world.admin_token,
            tight_server.url,
            pace=3,
            retries=RetryPolicy(rate_limited=0),  # a 429 would raise
            clock=fake_time.clock,
            sleep=sleep,
        ) as client:
            for _ in range(7):
                client.run_manual_successplay(world.play.id, "acme")

    assert fake_time.sleeps == [pytest.approx(20.2)] * 6
