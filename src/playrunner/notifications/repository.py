"""Email rows: written many at once by a run, read and settled one at a time by workers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from playrunner.models import EmailAttempt, EmailNotification, EmailStatus
from playrunner.row_inserts import RowInsert

_INSERT_EMAIL = RowInsert(EmailNotification)


def add_emails(session: Session, rows: list[dict[str, Any]]) -> None:
    """One INSERT for every email of a batch of runs."""
    _INSERT_EMAIL.execute(session, rows)  # through the driver (the trigger path: row_inserts)


def email(session: Session, email_id: uuid.UUID) -> EmailNotification | None:
    return session.get(EmailNotification, email_id)


def any_pending(session: Session) -> bool:
    query = select(EmailNotification.id).where(EmailNotification.status == EmailStatus.PENDING)
    return session.scalar(query.limit(1)) is not None


def count_due(session: Session, now: datetime) -> int:
    """Pending emails whose time has come (what a paced worker waits behind)."""
    query = select(func.count()).where(
        EmailNotification.status == EmailStatus.PENDING,
        EmailNotification.next_attempt_at <= now,
    )
    return session.scalar(query) or 0


def add_attempt(session: Session, attempt: EmailAttempt) -> None:
    session.add(attempt)
