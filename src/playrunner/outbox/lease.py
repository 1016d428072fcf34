"""Claiming, retrying and finishing outbox rows, the same for every outbox table.

A worker claims a row with one ``UPDATE ... WHERE status = 'pending' AND next_attempt_at <=
now AND (locked_until IS NULL OR locked_until < now)``: only one claim succeeds. The claim is
a lease: a worker killed mid-send leaves it to expire, and the next sweep hands the row on
(so sending is at least once). A failure is tried again after an exponential backoff with
jitter (a random wait between half and all of a doubling delay, at most 6 hours) until the
retry period ends; then the row is failed.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session

from playrunner.ids import time_ordered_id
from playrunner.models.announcement import RunAnnouncement
from playrunner.models.criteria import CriteriaCheck
from playrunner.models.inbound import InboundEvent
from playrunner.models.notification import EmailNotification
from playrunner.models.webhook import WebhookDelivery

MAX_BACKOFF_SECONDS = 6 * 3600
PENDING = "pending"  # the one status every outbox table shares

# The outbox tables.
OutboxTable = (
    type[WebhookDelivery]
    | type[EmailNotification]
    | type[RunAnnouncement]
    | type[CriteriaCheck]
    | type[InboundEvent]
)
OutboxRow = WebhookDelivery | EmailNotification | RunAnnouncement | CriteriaCheck | InboundEvent


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one try at sending came to: ``ok``, the answer's code (HTTP status, SMTP reply),
    how long it took, and what went wrong (``None`` when nothing did)."""

    ok: bool
    status_code: int | None
    latency_ms: int
    error: str | None
    final: bool = False  # a refusal that no retry will change (a mailbox that does not exist)

    def attempt_values(self, attempted_at: datetime) -> dict[str, Any]:
        """The columns of the attempt to log (``AttemptColumns``)."""
        return {
            "id": time_ordered_id(),
            "attempted_at": attempted_at,
            "status_code": self.status_code,
            "latency_ms": self.latency_ms,
            "error": self.error,
        }


def elapsed_ms(started: float) -> int:
    """Milliseconds since ``started`` (a ``time.monotonic()``): an attempt's latency."""
    return round((time.monotonic() - started) * 1000)


def backoff_seconds(attempts: int, base: float) -> float:
    """How long to wait after the ``attempts``-th failure: between half and all of an
    exponentially growing ceiling, so a recovering receiver is not hit by every retry at once."""
    ceiling = min(base * 2 ** (attempts - 1), MAX_BACKOFF_SECONDS)
    return random.uniform(ceiling / 2, ceiling)


def due_and_free(table: OutboxTable, now: datetime) -> tuple[ColumnElement[bool], ...]:
    """A pending row whose time has come and that no live worker holds."""
    return (
        table.status == PENDING,
        table.next_attempt_at <= now,
        or_(table.locked_until.is_(None), table.locked_until < now),
    )


def claim(
    session: Session, table: OutboxTable, row_id: uuid.UUID, now: datetime, until: datetime
) -> bool:
    """Take a due, unclaimed pending row for one worker until ``until`` (one winner)."""
    claimed = session.execute(
        update(table)
        .where(table.id == row_id, *due_and_free(table, now))
        .values(locked_until=until)
        .execution_options(synchronize_session=False)
    )
    count: int = claimed.rowcount  # type: ignore[attr-defined]
    return count == 1


def claim_many(
    session: Session,
    table: OutboxTable,
    row_ids: Sequence[uuid.UUID],
    now: datetime,
    until: datetime,
) -> list[uuid.UUID]:
    """Take those of these rows that are due and unclaimed, until ``until``; their ids (one
    statement: each row has one winner)."""
    return _set_on_free(session, table, row_ids, now, locked_until=until)


def release(session: Session, table: OutboxTable, row_ids: Sequence[uuid.UUID]) -> None:
    """Give claimed rows back untried, due as they were."""
    if row_ids:
        session.execute(
            update(table)
            .where(table.id.in_(row_ids), table.status == PENDING)
            .values(locked_until=None)
            .execution_options(synchronize_session=False)
        )


def postpone(session: Session, table: OutboxTable, row_id: uuid.UUID, until: datetime) -> None:
    """Give a claimed row back, due again at ``until`` (not an attempt: nothing was sent)."""
    session.execute(
        update(table)
        .where(table.id == row_id, table.status == PENDING)
        .values(locked_until=None, next_attempt_at=until)
        .execution_options(synchronize_session=False)
    )


def postpone_free(
    session: Session,
    table: OutboxTable,
    row_ids: Sequence[uuid.UUID],
    now: datetime,
    until: datetime,
) -> list[uuid.UUID]:
    """Make those of these rows that are due and unclaimed due again at ``until`` (not an
    attempt: nothing was sent); their ids."""
    return _set_on_free(session, table, row_ids, now, next_attempt_at=until)


def _set_on_free(
    session: Session,
    table: OutboxTable,
    row_ids: Sequence[uuid.UUID],
    now: datetime,
    **values: datetime,
) -> list[uuid.UUID]:
    """Set ``values`` on those of these rows that are due and unclaimed; their ids."""
    if not row_ids:
        return []
    changed = session.scalars(
        update(table)
        .where(table.id.in_(row_ids), *due_and_free(table, now))
        .values(**values)
        .returning(table.id)
        .execution_options(synchronize_session=False)
    )
    return list(changed)


def due(session: Session, table: OutboxTable, now: datetime, limit: int) -> list[uuid.UUID]:
    """Pending rows whose time has come and that no live worker holds, oldest due first."""
    query = (
        select(table.id)
        .where(*due_and_free(table, now))
        .order_by(table.next_attempt_at)
        .limit(limit)
    )
    return list(session.scalars(query))


def status_counts(session: Session, table: OutboxTable, tenant_id: str) -> dict[str, int]:
    """How many of the service's rows are in each status."""
    query = (
        select(table.status, func.count())
        .where(table.tenant_id == tenant_id)
        .group_by(table.status)
    )
    return {str(status): count for status, count in session.execute(query)}


def row_for_update(session: Session, table: OutboxTable, row_id: uuid.UUID) -> Any:
    """The row, locked until the transaction ends (a worker settling it), or None."""
    return session.scalars(select(table).where(table.id == row_id).with_for_update()).first()


def settle(
    row: OutboxRow,
    outcome: Outcome,
    *,
    now: datetime,
    retry_until: datetime,
    retry_base_seconds: float,
    done: str,
    failed: str,
    give_up: bool = False,
) -> float | None:
    """Record a try on a claimed ``row``: ``done`` on success; else its next try after the
    backoff, or ``failed`` once that would be after ``retry_until`` (or ``give_up``, or a
    final refusal). Returns the seconds until the next try, None when there is none."""
    row.attempts += 1
    row.locked_until = None
    row.last_error = None if outcome.ok else describe(outcome)
    if outcome.ok:
        row.status = done  # type: ignore[assignment]  # the table's own StrEnum value
        row.finished_at = now
        return None
    wait = backoff_seconds(row.attempts, retry_base_seconds)
    next_at = now + timedelta(seconds=wait)
    if give_up or outcome.final or next_at > retry_until:
        row.status = failed  # type: ignore[assignment]
        row.finished_at = now
        return None
    row.next_attempt_at = next_at
    return wait


def record_failure(
    row: OutboxRow,
    error: str,
    *,
    now: datetime,
    retry_base_seconds: float,
    retry_hours: float,
    failed: str,
) -> float | None:
    """A row whose work (not a send: an expansion, a check) failed with ``error``: its next
    try after the backoff, or ``failed`` once the retry period since it was written is over.
    Returns the seconds until the next try, None when there is none."""
    row.attempts += 1
    row.last_error = error[:500]
    wait = backoff_seconds(row.attempts, retry_base_seconds)
    next_at = now + timedelta(seconds=wait)
    if next_at > row.created_at + timedelta(hours=retry_hours):
        row.status = failed  # type: ignore[assignment]  # the table's own StrEnum value
        row.finished_at = now
        return None
    row.next_attempt_at = next_at
    return wait


def describe(outcome: Outcome) -> str:
    """A failed try in a line, as admins see it."""
    if outcome.error:
        return outcome.error[:500]
    return f"answered {outcome.status_code}"
