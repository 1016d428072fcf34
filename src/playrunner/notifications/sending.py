"""Sending one email: claim it, decide whether it is still wanted, keep the pace, render it
from the items as they are now, hand it to the relay, and record the attempt.

Claiming, backoff and retries are the outbox's (``outbox/lease.py``), as for webhooks: the
claim is a lease of ``LEASE_SENDS`` relay timeouts; a failure is tried again with backoff and
jitter (``webhook_retry_base_seconds``, doubling) until ``webhook_retry_hours`` after the email
was written, then failed. An address the relay refuses for good (5xx) fails at once.
"""

from __future__ import annotations

import functools
import logging
import random
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from playrunner.clock import utcnow
from playrunner.config import Settings
from playrunner.db import Database
from playrunner.models import EmailAttempt, EmailNotification, EmailStatus
from playrunner.notifications import mail, repository, service
from playrunner.notifications.pace import MailPace
from playrunner.outbox import lease
from playrunner.outbox.lease import Outcome
from playrunner.outbox.workers import Kind, SendMany
from playrunner.tenants import service as tenants_service
from playrunner.users import service as users_service
from playrunner.work import service as work_service

logger = logging.getLogger("playrunner.notifications")
# A send is a handful of exchanges with the relay (connect, EHLO, STARTTLS, login, MAIL,
# RCPT, DATA), each bounded by the timeout: a worker holds an email this many timeouts.
LEASE_SENDS = 6


def attempt(
    database: Database, settings: Settings, pace: MailPace, email_id: uuid.UUID
) -> float | None:
    """Try one email if it is due and no other worker holds it. Returns the seconds until
    its next try, or None when there is nothing more to do for it here."""
    if not settings.email_enabled:
        return None  # a process without SMTP settings leaves it to one that has them
    now = utcnow()
    until = now + timedelta(seconds=settings.smtp_timeout_seconds * LEASE_SENDS)
    with database.session() as session:
        if not lease.claim(session, EmailNotification, email_id, now, until):
            return None
    with database.session(read_only=True) as session:
        letter = _letter(session, settings, email_id)
    if letter is None:
        return None
    if isinstance(letter, str):
        _skip(database, email_id, letter)
        return None
    wait = pace.wait()
    if wait > 0:
        return _postpone(database, pace, email_id, wait)
    message = mail.compose(letter, settings.smtp_from or "", _message_id(settings, email_id))
    return _record(database, settings, email_id, mail.send(settings, message))


def _letter(session: Session, settings: Settings, email_id: uuid.UUID) -> mail.Letter | str | None:
    """What the email says, or why it is not sent (a reason), or None when it is gone."""
    email = repository.email(session, email_id)
    if email is None:
        return None
    user = users_service.find_user(session, email.tenant_id, email.user_id)
    tenant = tenants_service.find_tenant(session, email.tenant_id)
    if user is None or tenant is None:
        return None
    if not user.active:
        return f"{user.email} is deactivated"
    if not service.wants_email(user.email_notifications, tenant.force_email_notifications):
        return f"{user.email} turned these emails off"
    refs = [(item["kind"], uuid.UUID(item["id"])) for item in email.items]
    items = work_service.items(session, email.tenant_id, refs)
    if not items:
        return "what it was about was deleted"
    return mail.Letter(
        name=user.name,
        address=user.email,
        items=items,
        more=email.item_count - len(refs),
        base_url=settings.base_url,
    )


def _message_id(settings: Settings, email_id: uuid.UUID) -> str:
    return f"<{email_id}@{urlsplit(settings.base_url).hostname or 'playrunner'}>"


def attempt_many(
    database: Database, settings: Settings, pace: MailPace, email_ids: list[uuid.UUID]
) -> dict[uuid.UUID, float]:
    """``attempt`` each email while the pace has room; once it has none, give the rest back
    together (one statement, one task to try them again), untouched until then."""
    waits: dict[uuid.UUID, float] = {}
    for position, email_id in enumerate(email_ids):
        room = pace.room() if settings.email_enabled else 0.0
        if room > 0:
            waits.update(_postpone_all(database, pace, email_ids[position:], room))
            break
        wait = attempt(database, settings, pace, email_id)
        if wait is not None:
            waits[email_id] = wait
    return waits


def _postpone(database: Database, pace: MailPace, email_id: uuid.UUID, wait: float) -> float:
    """Give a claimed email back until the pace has room (another worker took the last
    slot between asking and sending)."""
    with database.session() as session:
        delay = _spread(session, pace, wait)
        lease.postpone(session, EmailNotification, email_id, utcnow() + timedelta(seconds=delay))
    return delay


def _postpone_all(
    database: Database, pace: MailPace, email_ids: list[uuid.UUID], wait: float
) -> dict[uuid.UUID, float]:
    """Give these emails (those due and unclaimed) back until the pace has room."""
    with database.session() as session:
        delay = _spread(session, pace, wait)
        until = utcnow() + timedelta(seconds=delay)
        moved = lease.postpone_free(session, EmailNotification, email_ids, utcnow(), until)
    return dict.fromkeys(moved, delay)


def _spread(session: Session, pace: MailPace, wait: float) -> float:
    """After ``wait``, plus a random share of the time the emails due before these will
    take, so a backlog is not all retried at once."""
    ahead = repository.count_due(session, utcnow())
    return wait + random.uniform(0, ahead * 60 / pace.per_minute)


def _skip(database: Database, email_id: uuid.UUID, reason: str) -> None:
    with database.session() as session:
        email = lease.row_for_update(session, EmailNotification, email_id)
        if email is None or email.status is not EmailStatus.PENDING:
            return
        email.status = EmailStatus.SKIPPED
        email.last_error = f"Not sent: {reason}"[:500]
        email.locked_until = None
        email.finished_at = utcnow()


def _record(
    database: Database, settings: Settings, email_id: uuid.UUID, outcome: Outcome
) -> float | None:
    now = utcnow()
    with database.session() as session:
        email = lease.row_for_update(session, EmailNotification, email_id)
        if email is None:
            return None
        repository.add_attempt(
            session, EmailAttempt(email_id=email_id, **outcome.attempt_values(now))
        )
        if email.status is not EmailStatus.PENDING:
            return None  # finished by another worker whose lease this one outlived
        wait = lease.settle(
            email,
            outcome,
            now=now,
            retry_until=email.created_at + timedelta(hours=settings.webhook_retry_hours),
            retry_base_seconds=settings.webhook_retry_base_seconds,
            done=EmailStatus.SENT,
            failed=EmailStatus.FAILED,
        )
    if not outcome.ok:
        logger.warning(
            "email %s not sent (%s): %s",
            email_id,
            "gave up" if wait is None else "will retry",
            lease.describe(outcome),
        )
    return wait


def _sender(settings: Settings, database: Database) -> SendMany:
    return functools.partial(attempt_many, database, settings, MailPace(settings))


KIND = Kind(
    name=service.OUTBOX_KIND,
    table=EmailNotification,
    sender=_sender,
    waiting=lambda session, _settings: service.any_pending(session),
    enabled=lambda settings: settings.email_enabled,
)
