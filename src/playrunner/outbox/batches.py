"""Work on a batch of outbox rows that is not a send (expanding announcements, checking event
criteria, processing inbound events): all of the batch in one transaction, with what it
causes; should that fail, each row in its own, and a row that fails alone is tried again
after the outbox's backoff, then marked failed once the retry period is over."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session

from playrunner.clock import utcnow
from playrunner.config import Settings
from playrunner.db import Database
from playrunner.db_failures import describe_failure
from playrunner.outbox import lease

logger = logging.getLogger("playrunner.outbox")

# Does the work for these rows (those still due and free) in the unit of work given.
Work = Callable[[Session, list[uuid.UUID]], None]


def all_or_each(
    database: Database,
    settings: Settings,
    ids: list[uuid.UUID],
    work: Work,
    *,
    table: lease.OutboxTable,
    failed: str,
    what: str,
) -> dict[uuid.UUID, float]:
    """``work`` on these rows in one transaction, else on each alone. Returns the seconds
    until the next try of those that failed. ``what``: the work, for the log."""
    try:
        with database.session() as session:
            work(session, ids)
        return {}
    except Exception as exc:
        if len(ids) > 1:
            waits: dict[uuid.UUID, float] = {}
            for one in ids:
                waits.update(
                    all_or_each(
                        database, settings, [one], work, table=table, failed=failed, what=what
                    )
                )
            return waits
        error = describe_failure(exc)
        logger.error("could not %s (%s): %s", what, ids[0], error)
        wait = _record_failure(database, settings, table, ids[0], error, failed)
        return {} if wait is None else {ids[0]: wait}


def _record_failure(
    database: Database,
    settings: Settings,
    table: lease.OutboxTable,
    row_id: uuid.UUID,
    error: str,
    failed: str,
) -> float | None:
    try:
        with database.session() as session:
            row = lease.row_for_update(session, table, row_id)
            if row is None or row.status != lease.PENDING:
                return None
            return lease.record_failure(
                row,
                error,
                now=utcnow(),
                retry_base_seconds=settings.webhook_retry_base_seconds,
                retry_hours=settings.webhook_retry_hours,
                failed=failed,
            )
    except Exception as exc:  # the database itself is failing: the sweep tries again
        logger.error("could not record it either: %s", describe_failure(exc))
        return None
