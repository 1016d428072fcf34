"""Webhooks end to end on a live server: endpoints registered through the API, the seed's
trigger call, signed deliveries checked with the Standard Webhooks library, retries after
failures, nothing sent for a change that rolled back, and the address rules."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook

from playrunner.app import create_app
from playrunner.config import Settings
from playrunner.db import Database
from playrunner.models import Run, RunAnnouncement, WebhookDelivery, WebhookEvent
from playrunner.webhooks.schemas import EventBody
from tests.factories import Factory, task_play
from tests.faults import database_refuses
from tests.live_server import LiveServer
from tests.webhooks.receiver import Received, Receiver
from tests.worlds import FORM_PLAY, ServiceWorld, body, trigger

HOOKS = "/api/v1/webhooks"
# The tests poll the API while they wait for deliveries.
pytestmark = pytest.mark.rate_limit("100000/minute")
FAST = {
    "secret_key": "test-key-for-webhook-secrets",
    "webhooks_allow_private_networks": True,
    "webhook_sweep_seconds": 0.5,
    "webhook_retry_base_seconds": 0.2,
}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
def live(settings: Settings) -> Iterator[LiveServer]:
    fast = settings.model_copy(update=FAST)
    with LiveServer(create_app(fast)) as server:
        yield server


@pytest.fixture
def client(live: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=30) as http:
        yield http


def register(client: httpx.Client, token: str, url: str, events: list[str]) -> dict[str, Any]:
    answer = client.post(HOOKS, json={"url": url, "events": events}, headers={"app-token": token})
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


def verified(secret: str, received: Received) -> dict[str, Any]:
    """The body, once the Standard Webhooks library has checked its signature."""
    payload: dict[str, Any] = Webhook(secret).verify(received.body, received.headers)
    return payload


def types(received: list[Received]) -> list[str]:
    return sorted(json.loads(r.body)["type"] for r in received)


def test_the_seeds_call_sends_signed_events_as_the_api_shows_the_resources(
    client: httpx.Client, factory: Factory, receiver: Receiver
) -> None:
    world = ServiceWorld(factory)
    endpoint = register(client, world.admin_token, receiver.url, ["run.created", "task.created"])
    assert endpoint["secret"].startswith("whsec_")

    answer = trigger(client, world.admin_token, body(world.play, "acme"))
    assert (answer.status_code, answer.text) == (200, "Success")

    received = receiver.wait_for(lambda got: len(got) == 2)
    assert types(received) == ["run.created", "task.created"]
    events = {e["type"]: e for e in (verified(endpoint["secret"], r) for r in received)}
    run_id = answer.headers["x-run-id"]
    headers = {"app-token": world.admin_token, "accept": "application/json"}
    run = client.get(f"/api/v1/runs/{run_id}", headers=headers).json()
    assert events["run.created"]["data"]["id"] == run_id
    task = events["task.created"]["data"]
    assert task == run["tasks"][0]
    for one in received:
        assert one.headers["webhook-id"] == verified(endpoint["secret"], one)["id"]

    # The secret is never shown again, and a tampered body does not verify.
    listed = client.get(HOOKS, headers={"app-token": world.admin_token}).json()
    assert "secret" not in listed[0]
    tampered = Received(received[0].path, received[0].headers, received[0].body + " ")
    with pytest.raises(Exception, match="signature"):
        verified(endpoint["secret"], tampered)


def test_each_event_carries_the_resource_exactly_as_the_api_shows_it(
    client: httpx.Client, factory: Factory, receiver: Receiver
) -> None:
    """The run's events are built from what the engine wrote, not read back: on a play
    acting on the parent account, with a flow task and a form request, each event's data is
    what the management API answers for the same resource."""
    world = ServiceWorld(factory)
    factory.flow(world.tenant, "renewal")
    factory.form(world.tenant)
    child = factory.account(world.tenant, "acme-emea", name="Acme EMEA", parent=world.account)
    actions = [
        {**task_play()["actions"][0], "flow": "renewal"},
        FORM_PLAY["actions"][0],
    ]
    play = factory.play(world.tenant, task_play(apply_to_parent=True, actions=actions))
    endpoint = register(client, world.admin_token, receiver.url, ["*"])

    answer = trigger(client, world.admin_token, body(play, child.account_id))
    assert (answer.status_code, answer.text) == (200, "Success")

    received = receiver.wait_for(lambda got: len(got) == 3)
    events = {e["type"]: e for e in (verified(endpoint["secret"], r) for r in received)}
    for event in events.values():
        EventBody.model_validate(event)
    headers = {"app-token": world.admin_token, "accept": "application/json"}
    run = client.get(f"/api/v1/runs/{answer.headers['x-run-id']}", headers=headers).json()
    tasks, requests = run.pop("tasks"), run.pop("form_requests")
    assert events["run.created"]["data"] == run
    assert (run["account_id"], run["requested_account_id"]) == ("acme", "acme-emea")
    assert events["task.created"]["data"] == tasks[0]
    assert tasks[0]["flow"] == "renewal"
    assert events["form_request.created"]["data"] == requests[0]
    assert requests[0]["fields"]


def test_a_failing_receiver_gets_the_event_after_retries_and_every_attempt_is_logged(
    client: httpx.Client, factory: Factory, receiver: Receiver
) -> None:
    world = ServiceWorld(factory)
    receiver.statuses = [500, 302, 503]  # a redirect is not followed: it is a failure
    endpoint = register(client, world.admin_token, receiver.url, ["run.created"])
    trigger(client, world.admin_token, body(world.play, "acme"))

    received = receiver.wait_for(lambda got: len(got) == 4)
    assert len({r.headers["webhook-id"] for r in received}) == 1  # one event, four tries
    assert len({r.body for r in received}) == 1

    def deliveries() -> list[dict[str, Any]]:
        path = f"{HOOKS}/{endpoint['id']}/deliveries"
        found: list[dict[str, Any]] = client.get(
            path, headers={"app-token": world.admin_token}
        ).json()
        return found

    receiver.wait_for(lambda _: deliveries()[0]["status"] == "delivered")
    (delivery,) = deliveries()
    assert delivery["attempts"] == 4
    assert [a["status_code"] for a in delivery["attempt_log"]] == [500, 302, 503, 200]
    assert all(a["latency_ms"] >= 0 for a in delivery["attempt_log"])
    assert delivery["last_error"] is None

    # An admin may send it again: the same event id.
    again = client.post(
        f"{HOOKS}/deliveries/{delivery['id']}/redeliver", headers={"app-token": world.admin_token}
    )
    assert again.status_code == 200, again.text
    resent = receiver.wait_for(lambda got: len(got) == 5)
    assert resent[-1].headers["webhook-id"] == received[0].headers["webhook-id"]


def test_a_run_that_rolls_back_sends_nothing(
    client: httpx.Client, factory: Factory, database: Database, receiver: Receiver
) -> None:
    world = ServiceWorld(factory)
    register(client, world.admin_token, receiver.url, ["*"])
    with database_refuses(database, "run_announcements"):
        failed = trigger(client, world.admin_token, body(world.play, "acme"))
    assert failed.status_code >= 500
    with database.session(read_only=True) as session:
        for table in (Run, RunAnnouncement, WebhookEvent, WebhookDelivery):
            assert session.scalar(select(func.count()).select_from(table)) == 0
    # A later run is delivered, alone.
    trigger(client, world.admin_token, body(world.play, "acme"))
    received = receiver.wait_for(lambda got: len(got) == 2)
    assert types(received) == ["run.created", "task.created"]


def test_task_and_form_and_play_changes_are_sent(
    client: httpx.Client, factory: Factory, receiver: Receiver
) -> None:
    world = ServiceWorld(factory)
    endpoint = register(client, world.admin_token, receiver.url, ["task.updated", "play.updated"])
    headers = {"app-token": world.admin_token}
    answer = trigger(client, world.admin_token, body(world.play, "acme"))
    run = client.get(f"/api/v1/runs/{answer.headers['x-run-id']}", headers=headers).json()
    task_id = run["tasks"][0]["id"]
    done = client.put(f"/api/v3/tasks/{task_id}", json={"status": "completed"}, headers=headers)
    assert done.status_code == 200, done.text
    paused = client.post(f"/api/v1/successplays/{world.play.id}/disable", headers=headers)
    assert paused.status_code == 200, paused.text
    received = receiver.wait_for(lambda got: len(got) == 2)
    events = {e["type"]: e for e in (verified(endpoint["secret"], r) for r in received)}
    assert events["task.updated"]["data"]["id"] == task_id
    assert events["task.updated"]["data"]["status"] == "completed"
    assert events["play.updated"]["data"]["id"] == str(world.play.id)
    assert events["play.updated"]["data"]["active"] is False


def test_tasks_made_through_the_api_and_tasks_cancelled_with_their_play_are_sent(
    client: httpx.Client, factory: Factory, receiver: Receiver
) -> None:
    world = ServiceWorld(factory)
    endpoint = register(client, world.admin_token, receiver.url, ["task.created", "task.updated"])
    headers = {"app-token": world.admin_token, "accept": "application/json"}
    made = client.post(
        "/api/v3/tasks", json={"title": "Call back", "account_id": "acme"}, headers=headers
    )
    assert made.status_code == 200, made.text
    received = receiver.wait_for(lambda got: len(got) == 1)
    created = verified(endpoint["secret"], received[0])
    assert created["type"] == "task.created"
    assert created["data"]["title"] == "Call back"

    answer = trigger(client, world.admin_token, body(world.play, "acme"))
    run = client.get(f"/api/v1/runs/{answer.headers['x-run-id']}", headers=headers).json()
    deleted = client.delete(
        f"/api/v1/successplays/{world.play.id}", params={"open_tasks": "cancel"}, headers=headers
    )
    assert deleted.status_code == 204, deleted.text
    received = receiver.wait_for(lambda got: len(got) == 3)
    updates = [
        e
        for e in (verified(endpoint["secret"], r) for r in received)
        if e["type"] == "task.updated"
    ]
    assert [(u["data"]["id"], u["data"]["status"]) for u in updates] == [
        (run["tasks"][0]["id"], "cancelled")
    ]


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://192.168.0.10/hook",
    ],
)
def test_endpoints_on_loopback_or_private_networks_are_refused_by_default(
    http: httpx.Client, factory: Factory, url: str
) -> None:
    world = ServiceWorld(factory)
    answer = http.post(
        HOOKS,
        json={"url": url, "events": ["run.created"]},
        headers={"app-token": world.admin_token, "accept": "application/json"},
    )
    assert answer.status_code == 400
    assert "loopback or private address" in answer.json()["detail"]


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"url": "ftp://example.com/x", "events": ["run.created"]}, "http:// or https://"),
        ({"url": "https://example.com/x", "events": ["run.exploded"]}, "unknown event type"),
        ({"url": "https://example.com/x", "events": []}, "at least one event type"),
        ({"url": "https://u:p@example.com/x", "events": ["*"]}, "user name or password"),
        ({"url": "http://[::1", "events": ["*"]}, "http:// or https://"),
        ({"url": "http://[abc]/x", "events": ["*"]}, "http:// or https://"),
        ({"url": "https://a..b/x", "events": ["*"]}, "not a valid host name"),
    ],
)
def test_bad_endpoints_are_refused_with_the_reason(
    http: httpx.Client, factory: Factory, payload: dict[str, Any], message: str
) -> None:
    world = ServiceWorld(factory)
    answer = http.post(
        HOOKS, json=payload, headers={"app-token": world.admin_token, "accept": "application/json"}
    )
    assert answer.status_code == 400
    assert message in answer.json()["detail"]


@pytest.mark.sqlite_only
def test_only_admins_manage_webhooks(http: httpx.Client, factory: Factory) -> None:
    world = ServiceWorld(factory)
    answer = http.get(HOOKS, headers={"app-token": world.user_token})
    assert answer.status_code == 403


def test_form_requests_are_sent_when_asked_and_when_answered_with_the_attribute_changes(
    client: httpx.Client, factory: Factory, receiver: Receiver
) -> None:
    world = ServiceWorld(factory)
    factory.form(world.tenant)
    play = factory.play(world.tenant, FORM_PLAY)
    endpoint = register(
        client, world.admin_token, receiver.url, ["form_request.created", "form_request.submitted"]
    )
    headers = {"app-token": world.admin_token}
    answer = trigger(client, world.admin_token, body(play, "acme"))
    run = client.get(f"/api/v1/runs/{answer.headers['x-run-id']}", headers=headers).json()
    request_id = run["form_requests"][0]["id"]
    submitted = client.post(
        f"/api/v1/form-requests/{request_id}/submit",
        json={"answers": {"sentiment": "Red", "note": "Champion left"}},
        headers=headers,
    )
    assert submitted.status_code == 200, submitted.text

    received = receiver.wait_for(lambda got: len(got) == 2)
    events = {e["type"]: e for e in (verified(endpoint["secret"], r) for r in received)}
    assert events["form_request.created"]["data"]["id"] == request_id
    answered = events["form_request.submitted"]["data"]
    assert answered["answers"] == {"sentiment": "Red", "note": "Champion left"}
    assert answered["attribute_changes"] == {
        "sentiment": {"before": None, "after": "Red"},
        "note": {"before": None, "after": "Champion left"},
    }


@pytest.mark.settings(webhook_retry_hours=0.001)  # 3.6 s instead of 72 hours
def test_an_endpoint_failing_for_the_whole_retry_period_is_disabled_with_the_reason(
    client: httpx.Client, factory: Factory, receiver: Receiver
) -> None:
    world = ServiceWorld(factory)
    receiver.statuses = [500] * 1000
    endpoint = register(client, world.admin_token, receiver.url, ["run.created"])
    headers = {"app-token": world.admin_token}

    def current() -> dict[str, Any]:
        found: dict[str, Any] = client.get(f"{HOOKS}/{endpoint['id']}", headers=headers).json()
        return found

    # Events keep coming while the endpoint fails; after a whole retry period (3.6 s here)
    # without a success it is disabled.
    for _ in range(60):
        trigger(client, world.admin_token, body(world.play, "acme"))
        if current()["enabled"] is False:
            break
        time.sleep(0.5)
    disabled = current()
    assert disabled["disabled_reason"].startswith("Every delivery failed for 0.001 hours")
    assert "answered 500" in disabled["disabled_reason"]
    deliveries = client.get(f"{HOOKS}/{endpoint['id']}/deliveries", headers=headers).json()
    # None was delivered; each failed or waits, and the receiver's answers were recorded.
    assert {d["status"] for d in deliveries} <= {"failed", "pending"}
    assert any(d["attempts"] >= 2 and d["last_error"] == "answered 500" for d in deliveries)
    # Deliveries still waiting when it was disabled fail at their next try, without a request.
    # (One made by the last trigger may not have had its first try yet: wait for it.)
    deadline = time.monotonic() + 30
    while any(d["last_error"] is None for d in deliveries) and time.monotonic() < deadline:
        time.sleep(0.2)
        deliveries = client.get(f"{HOOKS}/{endpoint['id']}/deliveries", headers=headers).json()
    errors = [d["last_error"] for d in deliveries]
    assert all(e in ("answered 500", "the endpoint is disabled") for e in errors), errors

    # Enabled again by an admin, it is sent what comes next.
    receiver.statuses = []
    enabled = client.patch(f"{HOOKS}/{endpoint['id']}", json={"enabled": True}, headers=headers)
    assert enabled.json()["disabled_reason"] is None
    answer = trigger(client, world.admin_token, body(world.play, "acme"))
    run_id = answer.headers["x-run-id"]
    # (Deliveries whose next try comes after this may go out too: it answers now.)
    receiver.wait_for(lambda got: any(run_id in r.body for r in got))


def test_an_endpoint_that_answers_some_deliveries_is_not_disabled(
    client: httpx.Client, factory: Factory, receiver: Receiver
) -> None:
    """A success clears the failing streak: only a whole retry period without one disables."""
    world = ServiceWorld(factory)
    endpoint = register(client, world.admin_token, receiver.url, ["run.created"])
    headers = {"app-token": world.admin_token}
    for _ in range(6):
        receiver.statuses = [500]  # each event fails once, then its retry succeeds
        expected = len(receiver.received) + 2
        trigger(client, world.admin_token, body(world.play, "acme"))
        receiver.wait_for(lambda got: len(got) >= expected)  # noqa: B023 (used at once)
    shown = client.get(f"{HOOKS}/{endpoint['id']}", headers=headers).json()
    assert shown["enabled"] is True
    assert shown["disabled_reason"] is None


@pytest.mark.sqlite_only
def test_deleting_rotating_and_redelivering_answer_as_the_api_says(
    client: httpx.Client, factory: Factory, receiver: Receiver
) -> None:
    world = ServiceWorld(factory)
    headers = {"app-token": world.admin_token, "accept": "application/json"}
    endpoint = register(client, world.admin_token, receiver.url, ["run.created"])
    path = f"{HOOKS}/{endpoint['id']}"

    rotated = client.post(f"{path}/rotate-secret", headers=headers).json()
    trigger(client, world.admin_token, body(world.play, "acme"))
    (received,) = receiver.wait_for(lambda got: len(got) == 1)
    verified(rotated["secret"], received)  # signed with the new secret
    with pytest.raises(Exception, match="signature"):
        verified(endpoint["secret"], received)

    unknown = client.post(f"{HOOKS}/deliveries/{uuid.uuid4()}/redeliver", headers=headers)
    assert unknown.status_code == 404
    client.patch(path, json={"enabled": False}, headers=headers)
    (delivery,) = client.get(f"{path}/deliveries", headers=headers).json()
    disabled = client.post(f"{HOOKS}/deliveries/{delivery['id']}/redeliver", headers=headers)
    assert disabled.status_code == 400
    assert "disabled" in disabled.json()["detail"]
    # A disabled endpoint is sent nothing new.
    trigger(client, world.admin_token, body(world.play, "acme"))
    assert len(client.get(f"{path}/deliveries", headers=headers).json()) == 1

    assert client.delete(path, headers=headers).status_code == 204
    assert client.get(path, headers=headers).status_code == 404
    assert client.delete(path, headers=headers).status_code == 404
