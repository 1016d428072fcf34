"""The columns every outbox table shares (webhook deliveries, emails), and those of the
attempts logged for them.

An outbox row is written in the same transaction as the change that caused it, then sent by
the workers (``playrunner/outbox/``): claimed with a lease (``locked_until``), tried, and
either finished or given its next try (``next_attempt_at``) with backoff.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from playrunner.clock import utcnow


class OutboxColumns:
    """What the workers need of a row to claim, retry and finish it. Each table adds its
    ``status`` (its own values; ``pending`` in every one) and what it sends."""

    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class AttemptColumns:
    """One try at sending an outbox row: when, the answer's code (HTTP status, SMTP reply),
    how long it took, what went wrong."""

    attempted_at: Mapped[datetime]
    status_code: Mapped[int | None]
    latency_ms: Mapped[int]
    error: Mapped[str | None] = mapped_column(String(500))
