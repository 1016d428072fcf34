"""A worker's batch of emails and the mail pace: it sends while the pace has room, then gives
the rest back together (one statement, one retry for them all), without claiming, reading or
trying them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from playrunner.clock import utcnow
from playrunner.config import Settings
from playrunner.db import Database
from playrunner.models import EmailNotification, RunAnnouncement
from playrunner.notifications import sending
from playrunner.notifications import service as notifications_service
from playrunner.notifications.pace import MailPace
from playrunner.runs import announcements
from tests.factories import Factory
from tests.notifications.mailbox import Mailbox
from tests.worlds import ServiceWorld, run_play


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with Mailbox() as running:
        yield running


def test_a_batch_that_finds_the_pace_used_up_gives_the_rest_back_together(
    database: Database, settings: Settings, factory: Factory, mailbox: Mailbox
) -> None:
    paced = settings.model_copy(update={**mailbox.settings(), "smtp_per_minute": 1})
    database.context[notifications_service.MAIL_ON] = True
    world = ServiceWorld(factory)
    for _ in range(3):
        run_play(database, world.admin, world.play.id, "acme")
    with database.session(read_only=True) as session:
        pending = list(session.scalars(select(RunAnnouncement.id)))
    assert announcements.expand_many(database, paced, pending) == {}
    with database.session(read_only=True) as session:
        ids = [e.id for e in session.scalars(select(EmailNotification))]
    assert len(ids) == 3

    before = utcnow()
    waits = sending.attempt_many(database, paced, MailPace(paced), ids)

    mailbox.wait_for(lambda got: len(got) == 1)
    with database.session(read_only=True) as session:
        emails = {e.id: e for e in session.scalars(select(EmailNotification))}
    sent = [e for e in emails.values() if e.status == "sent"]
    back = [e for e in emails.values() if e.status == "pending"]
    assert [e.id for e in sent] == [ids[0]]
    assert sorted(waits) == sorted(e.id for e in back)
    assert len(set(waits.values())) == 1  # one wait: they go back as one task
    assert all(e.attempts == 0 and e.locked_until is None for e in back)
    assert all(e.next_attempt_at > before for e in back)
