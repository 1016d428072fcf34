"""Emails to assignees end to end: a live server, a real SMTP relay (aiosmtpd), the seed's
trigger call. The link goes straight to the item; opting out and forcing on work; one email
per person per run (and per bulk call); a run that rolls back sends nothing; a relay that
puts mail off gets it later, every attempt logged."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import func, select

from playrunner.app import create_app
from playrunner.config import Settings
from playrunner.db import Database
from playrunner.models import EmailAttempt, EmailNotification, EmailStatus, Run, RunAnnouncement
from tests.factories import Factory, task_play
from tests.faults import database_refuses
from tests.live_server import LiveServer
from tests.notifications.mailbox import Mailbox, html_of, text_of
from tests.worlds import FORM_PLAY, PATH, ServiceWorld, body, trigger

pytestmark = pytest.mark.rate_limit("100000/minute")
PUBLIC = "https://playrunner.example.com"
FAST = {
    "public_url": PUBLIC,
    "webhook_sweep_seconds": 0.5,
    "webhook_retry_base_seconds": 0.2,
}


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with Mailbox() as running:
        yield running


@pytest.fixture
def client(settings: Settings, mailbox: Mailbox) -> Iterator[httpx.Client]:
    fast = settings.model_copy(update={**FAST, **mailbox.settings()})
    with (
        LiveServer(create_app(fast)) as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
    ):
        yield http


def emails(database: Database) -> list[EmailNotification]:
    with database.session(read_only=True) as session:
        return list(session.scalars(select(EmailNotification)))


def settled(database: Database, count: int = 1, timeout: float = 30) -> list[EmailNotification]:
    """The emails once ``count`` of them are no longer pending (fails after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while True:
        found = emails(database)
        if sum(e.status is not EmailStatus.PENDING for e in found) >= count:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"still pending: {found}")
        time.sleep(0.05)


def test_the_seeds_call_emails_the_assignee_a_link_straight_to_the_task(
    client: httpx.Client, factory: Factory, mailbox: Mailbox
) -> None:
    world = ServiceWorld(factory)
    answer = trigger(client, world.admin_token, body(world.play, "acme"))
    assert (answer.status_code, answer.text) == (200, "Success")
    headers = {"app-token": world.admin_token, "accept": "application/json"}
    run = client.get(f"/api/v1/runs/{answer.headers['x-run-id']}", headers=headers).json()
    task = run["tasks"][0]

    (message,) = mailbox.wait_for(lambda got: len(got) == 1)
    assert message["To"].addresses[0].addr_spec == world.csm.email
    assert message["From"] == "Playrunner <playrunner@example.com>"
    assert message["Subject"] == "New task for Acme: Follow up with Acme"
    link = f"{PUBLIC}/tasks/{task['id']}"
    text, html = text_of(message), html_of(message)
    for part in (text, html):
        assert link in part
        assert "Acme (acme)" in part
        assert f"Due: {task['due_date']}" in part
        assert "Play: Follow-up" in part
        assert f"{PUBLIC}/settings" in part  # where to turn them off
    assert f'<a href="{link}">' in html


def test_a_user_who_opted_out_gets_nothing_unless_an_admin_forces_emails_on(
    client: httpx.Client, factory: Factory, database: Database, mailbox: Mailbox
) -> None:
    world = ServiceWorld(factory)
    csm = {"app-token": factory.token(world.csm)}
    off = client.patch("/api/v1/users/me", json={"email_notifications": False}, headers=csm)
    assert off.status_code == 200, off.text
    assert off.json()["email_notifications"] is False

    trigger(client, world.admin_token, body(world.play, "acme"))
    (skipped,) = settled(database)
    assert skipped.status is EmailStatus.SKIPPED
    assert skipped.last_error == f"Not sent: {world.csm.email} turned these emails off"
    assert mailbox.messages == []

    admin = {"app-token": world.admin_token}
    forced = client.patch(
        "/api/v1/service", json={"force_email_notifications": True}, headers=admin
    )
    assert forced.status_code == 200, forced.text
    assert forced.json()["force_email_notifications"] is True
    assert forced.json()["email_configured"] is True
    trigger(client, world.admin_token, body(world.play, "acme"))
    (message,) = mailbox.wait_for(lambda got: len(got) == 1)
    assert message["To"].addresses[0].addr_spec == world.csm.email


def test_one_email_per_person_per_run_and_per_bulk_call(
    client: httpx.Client, factory: Factory, database: Database, mailbox: Mailbox
) -> None:
    world = ServiceWorld(factory)
    factory.form(world.tenant)
    both = factory.play(
        world.tenant,
        task_play(name="Check in", actions=[*task_play()["actions"], *FORM_PLAY["actions"]]),
    )
    assert trigger(client, world.admin_token, body(both, "acme")).status_code == 200
    (message,) = mailbox.wait_for(lambda got: len(got) == 1)
    assert message["Subject"] == "2 new items assigned to you"
    text = text_of(message)
    assert f"{PUBLIC}/tasks/" in text
    assert f"{PUBLIC}/form-requests/" in text

    # A bulk call on 22 accounts of the same Success Manager: one email, 20 items listed.
    ids = [f"bulk-{n}" for n in range(22)]
    for account_id in ids:
        factory.account(
            world.tenant, account_id, name=account_id.title(), success_manager=world.csm
        )
    answer = client.post(
        f"{PATH}/bulk",
        json={"successplayId": str(world.play.id), "accountIds": ids},
        headers={"app-token": world.admin_token},
    )
    assert answer.status_code == 200, answer.text
    messages = mailbox.wait_for(lambda got: len(got) == 2)
    bulk = text_of(messages[1])
    assert messages[1]["Subject"] == "22 new items assigned to you"
    assert bulk.count(f"{PUBLIC}/tasks/") == 20
    assert f"...and 2 more: {PUBLIC}/my-work" in bulk
    assert len(emails(database)) == 2


def test_a_run_that_rolls_back_sends_nothing(
    client: httpx.Client, factory: Factory, database: Database, mailbox: Mailbox
) -> None:
    world = ServiceWorld(factory)
    with database_refuses(database, "run_announcements"):
        failed = trigger(client, world.admin_token, body(world.play, "acme"))
    assert failed.status_code >= 500
    with database.session(read_only=True) as session:
        for table in (Run, RunAnnouncement, EmailNotification):
            assert session.scalar(select(func.count()).select_from(table)) == 0
    # A later run is emailed, alone.
    trigger(client, world.admin_token, body(world.play, "acme"))
    mailbox.wait_for(lambda got: len(got) == 1)
    settled(database)
    assert len(mailbox.messages) == 1


def test_a_relay_that_puts_mail_off_gets_it_later_and_every_attempt_is_logged(
    client: httpx.Client, factory: Factory, database: Database, mailbox: Mailbox
) -> None:
    world = ServiceWorld(factory)
    mailbox.put_off = 2
    trigger(client, world.admin_token, body(world.play, "acme"))
    mailbox.wait_for(lambda got: len(got) == 1)
    (sent,) = settled(database)
    assert (sent.status, sent.attempts, sent.last_error) == (EmailStatus.SENT, 3, None)
    with database.session(read_only=True) as session:
        attempts = session.scalars(select(EmailAttempt).order_by(EmailAttempt.attempted_at))
        logged = [(a.status_code, a.error) for a in attempts]
    assert logged == [
        (451, "the relay answered 451 4.3.0 Try again later"),
        (451, "the relay answered 451 4.3.0 Try again later"),
        (250, None),
    ]


def test_an_address_the_relay_refuses_for_good_fails_at_once(
    client: httpx.Client, factory: Factory, database: Database, mailbox: Mailbox
) -> None:
    world = ServiceWorld(factory)
    mailbox.refused.add(world.csm.email)
    trigger(client, world.admin_token, body(world.play, "acme"))
    (failed,) = settled(database)
    assert (failed.status, failed.attempts) == (EmailStatus.FAILED, 1)
    assert failed.last_error is not None
    assert failed.last_error.startswith("the relay refused the address: 550")


@pytest.mark.sqlite_only
def test_without_smtp_settings_email_is_off_said_once_and_nothing_is_written(
    settings: Settings, factory: Factory, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    world = ServiceWorld(factory)
    with (
        caplog.at_level(logging.INFO, logger="playrunner"),
        LiveServer(create_app(settings)) as server,
        httpx.Client(base_url=server.url) as http,
    ):
        assert trigger(http, world.admin_token, body(world.play, "acme")).status_code == 200
        shown = http.get("/api/v1/service", headers={"app-token": world.admin_token}).json()
    assert shown["email_configured"] is False
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Email is off")]
    assert len(said) == 1
    assert emails(database) == []
