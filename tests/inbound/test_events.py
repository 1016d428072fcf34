"""Inbound events end to end, on a live server whose workers process them: the seed's use
case 2 (a "job change" event at an account runs the sentiment play for its Success Manager),
a replayed event id doing nothing, a bad signature refused (401) and logged, a rule's dry
run, and an event setting attributes that an event play's criteria react to."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from playrunner.app import create_app
from playrunner.config import Settings
from playrunner.db import Database
from playrunner.models import FormRequest, Run, RunSource
from playrunner.webhooks import signing
from tests.factories import Factory, task_play
from tests.live_server import LiveServer
from tests.worlds import FORM_PLAY, ServiceWorld

pytestmark = pytest.mark.rate_limit("100000/minute")
SOURCES = "/api/v1/event-sources"
FAST = {"secret_key": "test-key-for-event-secrets", "webhook_sweep_seconds": 0.5}
JOB_CHANGE: dict[str, Any] = {
    "type": "job_change",
    "data": {"person": {"name": "Ada", "title": "VP Customer Success"}, "company": {"id": "acme"}},
}


@pytest.fixture
def client(settings: Settings) -> Iterator[httpx.Client]:
    with (
        LiveServer(create_app(settings.model_copy(update=FAST))) as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
    ):
        yield http


class Source:
    """A source made through the API, with a rule, and a way to post signed events to it."""

    def __init__(self, client: httpx.Client, token: str, name: str = "LinkedIn") -> None:
        self.client = client
        self.admin = {"app-token": token}
        answer = client.post(SOURCES, json={"name": name}, headers=self.admin)
        assert answer.status_code == 201, answer.text
        created = answer.json()
        self.id, self.secret, self.url = created["id"], created["secret"], created["events_url"]
        self.token = created["token"]

    def rule(self, **spec: Any) -> dict[str, Any]:
        answer = self.client.post(f"{SOURCES}/{self.id}/rules", json=spec, headers=self.admin)
        assert answer.status_code == 201, answer.text
        rule: dict[str, Any] = answer.json()
        return rule

    def post(
        self, event: dict[str, Any], event_id: str | None = None, secret: str | None = None
    ) -> httpx.Response:
        body = json.dumps(event)
        headers = signing.signature_headers(
            secret or self.secret, event_id or f"msg_{uuid.uuid4().hex}", datetime.now(UTC), body
        )
        return self.client.post(
            self.url, content=body, headers={**headers, "content-type": "application/json"}
        )

    def post_with_token(
        self, event: dict[str, Any], event_id: str, token: str | None = None
    ) -> httpx.Response:
        """As a system that cannot sign: the source's token, the event's id, no signature."""
        headers = {"authorization": f"Bearer {token or self.token}", "webhook-id": event_id}
        return self.client.post(self.url, json=event, headers=headers)

    def events(self) -> list[dict[str, Any]]:
        answer = self.client.get(f"{SOURCES}/{self.id}/events", headers=self.admin)
        assert answer.status_code == 200, answer.text
        found: list[dict[str, Any]] = answer.json()
        return found


def eventually(check: Callable[[], Any], timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.05)
    return found


@pytest.fixture
def world(factory: Factory) -> ServiceWorld:
    world = ServiceWorld(factory)
    factory.form(world.tenant)
    world.form_play_id = factory.play(world.tenant, FORM_PLAY).id  # type: ignore[attr-defined]
    return world


def test_a_job_change_at_an_account_asks_its_success_manager_for_their_sentiment(
    client: httpx.Client, database: Database, world: ServiceWorld
) -> None:
    source = Source(client, world.admin_token)
    rule = source.rule(
        name="Champion changed jobs",
        match={"type": "job_change"},
        account_path="data.company.id",
        action="run_play",
        play=str(world.form_play_id),  # type: ignore[attr-defined]
    )
    answer = source.post(JOB_CHANGE, event_id="evt_1")
    assert answer.status_code == 202, answer.text
    assert answer.json() == {"id": "evt_1", "status": "accepted"}

    (event,) = eventually(lambda: [e for e in source.events() if e["status"] != "pending"])
    assert (event["status"], event["rule_id"], event["account_id"]) == (
        "processed",
        rule["id"],
        "acme",
    )
    with database.session(read_only=True) as session:
        run = session.get(Run, uuid.UUID(event["run_id"]))
        assert run is not None
        assert run.source is RunSource.EVENT
        (request,) = session.scalars(select(FormRequest).where(FormRequest.run_id == run.id))
    assert request.assignee_user_id == world.csm.id

    # The same event again (a sender's retry): nothing more happens.
    again = source.post(JOB_CHANGE, event_id="evt_1")
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    time.sleep(0.5)
    assert len(source.events()) == 1


def test_a_bad_signature_is_refused_and_logged(
    client: httpx.Client, world: ServiceWorld, caplog: pytest.LogCaptureFixture
) -> None:
    source = Source(client, world.admin_token)
    with caplog.at_level(logging.WARNING, logger="playrunner.inbound"):
        forged = source.post(JOB_CHANGE, secret=signing.endpoint_secret(b"another key", "salt"))
        unsigned = client.post(source.url, json=JOB_CHANGE)
    for answer in (forged, unsigned):
        assert answer.status_code == 401, answer.text
        assert answer.json()["detail"].startswith("Invalid signature")
    assert sum("event refused for source" in r.getMessage() for r in caplog.records) == 2
    assert source.events() == []
    assert client.post(f"/api/v1/events/{uuid.uuid4()}", json={}).status_code == 404
    # The receiving route is a plain one ahead of the others (inbound/router.py): its other
    # answers are still the API's problems, with a request id.
    malformed = client.post("/api/v1/events/not-an-id", json={})
    assert malformed.status_code == 404
    assert malformed.json()["detail"] == "Event source not-an-id not found"
    read = client.get(source.url)
    assert read.status_code == 405
    assert read.headers["content-type"] == "application/problem+json"
    assert read.headers["x-request-id"]


def test_a_system_that_cannot_sign_sends_the_sources_token_instead(
    client: httpx.Client, world: ServiceWorld, caplog: pytest.LogCaptureFixture
) -> None:
    source = Source(client, world.admin_token)
    assert source.token.startswith("pr_evt_")
    first = source.post_with_token(JOB_CHANGE, "crm-1")
    assert (first.status_code, first.json()) == (202, {"id": "crm-1", "status": "accepted"})
    again = source.post_with_token(JOB_CHANGE, "crm-1")
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")

    with caplog.at_level(logging.WARNING, logger="playrunner.inbound"):
        wrong = source.post_with_token(JOB_CHANGE, "crm-2", token="pr_evt_not-the-token")
        other = Source(client, world.admin_token, name="Another")
        crossed = source.post_with_token(JOB_CHANGE, "crm-3", token=other.token)
        no_id = source.post_with_token(JOB_CHANGE, "")
    for answer in (wrong, crossed):
        assert answer.status_code == 401, answer.text
        assert answer.json()["detail"].startswith("Invalid token")
    assert no_id.status_code == 400
    assert no_id.json()["detail"] == "webhook-id must be 1 to 255 characters"
    assert sum("the token is not the source's" in r.getMessage() for r in caplog.records) == 2

    # Rotating makes a new token; the old one is refused at once.
    rotated = client.post(f"{SOURCES}/{source.id}/rotate-secret", headers=source.admin)
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["token"] != source.token
    assert source.post_with_token(JOB_CHANGE, "crm-4").status_code == 401
    fresh = source.post_with_token(JOB_CHANGE, "crm-4", token=rotated.json()["token"])
    assert fresh.status_code == 202
    assert {e["event_id"] for e in source.events()} == {"crm-1", "crm-4"}


def test_a_rules_dry_run_says_what_would_happen_and_writes_nothing(
    client: httpx.Client, database: Database, world: ServiceWorld
) -> None:
    source = Source(client, world.admin_token)
    source.rule(
        name="Champion changed jobs",
        match={"type": "job_change"},
        account_path="data.company.id",
        action="run_play",
        play=str(world.form_play_id),  # type: ignore[attr-defined]
    )
    test = f"{SOURCES}/{source.id}/test"
    answer = client.post(test, json={"payload": JOB_CHANGE}, headers=source.admin)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["rule"]["name"] == "Champion changed jobs"
    assert result["account_id"] == "acme"
    assert "would run the play" in result["outcome"]
    (item,) = result["dry_run"]["formRequests"]
    assert item["assignee"] == world.csm.email

    other = client.post(test, json={"payload": {"type": "like"}}, headers=source.admin)
    assert other.json()["outcome"] == "No rule matched"
    unknown = {**JOB_CHANGE, "data": {"company": {"id": "nobody"}}}
    missing = client.post(test, json={"payload": unknown}, headers=source.admin)
    assert "account 'nobody' not found" in missing.json()["outcome"]
    with database.session(read_only=True) as session:
        assert list(session.scalars(select(Run))) == []


def test_an_event_sets_attributes_that_an_event_plays_criteria_react_to(
    client: httpx.Client, database: Database, factory: Factory, world: ServiceWorld
) -> None:
    criteria = {"conditions": [{"attribute": "champion_left", "op": "equals", "value": True}]}
    rescue = factory.play(
        world.tenant,
        task_play(name="Find a new champion", triggers=["event"], event_criteria=criteria),
    )
    source = Source(client, world.admin_token)
    source.rule(
        name="Champion left",
        match={"type": "job_change", "data.person.left": True},
        account_path="data.company.id",
        action="set_attributes",
        attributes={"champion_left": "data.person.left", "champion_title": "data.person.title"},
    )
    left = {**JOB_CHANGE, "data": {**JOB_CHANGE["data"], "person": {"title": "CTO", "left": True}}}
    assert source.post(left).status_code == 202

    def rescue_runs() -> list[Run]:
        with database.session(read_only=True) as session:
            return list(session.scalars(select(Run).where(Run.play_id == rescue.id)))

    (run,) = eventually(rescue_runs)
    assert run.source is RunSource.EVENT
    (event,) = source.events()
    assert event["outcome"] == "Rule 'Champion left': set champion_left, champion_title on acme"
    account = client.get("/api/v1/accounts/acme", headers=source.admin).json()
    assert account["attributes"]["champion_title"] == "CTO"


def test_rules_are_checked_when_saved(client: httpx.Client, world: ServiceWorld) -> None:
    source = Source(client, world.admin_token)
    url = f"{SOURCES}/{source.id}/rules"
    base = {"name": "r", "account_path": "data.id", "action": "run_play"}
    cases = [
        ({**base, "account_path": "data.["}, "account_path"),
        ({**base}, "run_play needs play"),
        ({**base, "play": str(uuid.uuid4())}, "SuccessPlay not found"),
        ({**base, "action": "set_attributes"}, "set_attributes needs attributes"),
        ({**base, "match": {"a[": 1}, "play": "x"}, "JMESPath"),
    ]
    for spec, message in cases:
        answer = client.post(url, json=spec, headers=source.admin)
        assert answer.status_code == 400, answer.text
        assert message in answer.text
    other = ServiceWorld(world.factory)
    assert (
        client.get(f"{SOURCES}/{source.id}", headers={"app-token": other.admin_token}).status_code
        == 404
    )
    assert client.get(SOURCES, headers={"app-token": world.user_token}).status_code == 403


def test_a_rule_whose_play_was_deactivated_is_logged_with_the_triggers_words(
    client: httpx.Client, database: Database, world: ServiceWorld
) -> None:
    source = Source(client, world.admin_token)
    play_id = str(world.form_play_id)  # type: ignore[attr-defined]
    source.rule(
        name="Champion changed jobs",
        match={"type": "job_change"},
        account_path="data.company.id",
        action="run_play",
        play=play_id,
    )
    off = client.post(f"/api/v1/successplays/{play_id}/disable", headers=source.admin)
    assert off.status_code < 300, off.text
    assert source.post(JOB_CHANGE).status_code == 202
    (event,) = eventually(lambda: [e for e in source.events() if e["status"] != "pending"])
    assert event["status"] == "ignored"
    assert event["outcome"] == "Rule 'Champion changed jobs' matched; SuccessPlay not found"
    assert event["run_id"] is None
    with database.session(read_only=True) as session:
        assert list(session.scalars(select(Run))) == []
