"""Emails sent by `playrunner worker` processes over a Redis queue, paced together: with
PLAYRUNNER_SMTP_PER_MINUTE=2, two workers send two emails in the minute between them, and the
rest wait for the pace (given back with a time, not held by a sleeping thread)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from playrunner.clock import utcnow
from playrunner.db import Database
from playrunner.models import EmailNotification, EmailStatus
from tests.factories import Factory
from tests.notifications.mailbox import Mailbox
from tests.processes import ServerProcess, clean_environment
from tests.services import require_redis
from tests.webhooks.test_workers import stop, worker
from tests.worlds import ServiceWorld, body, trigger


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with Mailbox() as running:
        yield running


def test_worker_processes_share_the_mail_pace_through_redis(
    database_url: str, factory: Factory, database: Database, tmp_path: Path, mailbox: Mailbox
) -> None:
    env = clean_environment(
        PLAYRUNNER_DATABASE_URL=database_url,
        PLAYRUNNER_REDIS_URL=require_redis(),
        PLAYRUNNER_WEBHOOK_WORKERS="0",  # sending is the worker processes' job
        PLAYRUNNER_WEBHOOK_SWEEP_SECONDS="0.5",
        PLAYRUNNER_SMTP_HOST="127.0.0.1",
        PLAYRUNNER_SMTP_PORT=str(mailbox.port),
        PLAYRUNNER_SMTP_SECURITY="none",
        PLAYRUNNER_SMTP_FROM="playrunner@example.com",
        PLAYRUNNER_SMTP_PER_MINUTE="2",
    )
    world = ServiceWorld(factory)
    workers = [worker(env, tmp_path), worker(env, tmp_path)]
    try:
        with ServerProcess([], env, tmp_path) as server, httpx.Client(base_url=server.url) as http:
            for _ in range(4):  # four runs: four emails to the Success Manager
                assert trigger(http, world.admin_token, body(world.play, "acme")).status_code == 200
        mailbox.wait_for(lambda got: len(got) == 2)
        time.sleep(3)  # the pace holds: nothing more within the minute
        assert len(mailbox.messages) == 2
        with database.session(read_only=True) as session:
            rows = list(session.scalars(select(EmailNotification)))
    finally:
        for process in workers:
            stop(process)
    assert sorted(r.status for r in rows) == [EmailStatus.PENDING] * 2 + [EmailStatus.SENT] * 2
    waiting = [r for r in rows if r.status is EmailStatus.PENDING]
    # Given back for later (no attempt made, no worker holding them), not slept on.
    assert all(r.attempts == 0 and r.locked_until is None for r in waiting)
    assert all(r.next_attempt_at > utcnow() + timedelta(seconds=30) for r in waiting)
