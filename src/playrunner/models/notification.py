"""Emails to people about work assigned to them: one row per person per batch of runs (one
``start_runs`` call), written in the runs' own transaction and sent by the outbox workers.

Only references are stored: the email is rendered when it is sent, from the items as they
are then, and whether the person still wants emails is decided then too.
"""

from __future__ import annotations

import enum
import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from playrunner.models.base import Base, UUIDPrimaryKey, enum_column
from playrunner.models.outbox import AttemptColumns, OutboxColumns


class EmailStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"  # accepted by the SMTP relay
    FAILED = "failed"  # refused for good, or still failing when the retries ran out
    SKIPPED = "skipped"  # not sent, and never will be (the reason is in last_error)


class EmailNotification(OutboxColumns, UUIDPrimaryKey, Base):
    """An email to ``user_id`` about the items assigned to them: ``items`` is the first of
    them (``{"kind": "task" | "form_request", "id": "..."}``), ``item_count`` how many."""

    __tablename__ = "email_notifications"
    __table_args__ = (Index("ix_email_notifications_due", "status", "next_attempt_at"),)

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    items: Mapped[list[Any]]
    item_count: Mapped[int] = mapped_column(Integer)
    status: Mapped[EmailStatus] = mapped_column(
        enum_column(EmailStatus), default=EmailStatus.PENDING
    )


class EmailAttempt(AttemptColumns, UUIDPrimaryKey, Base):
    """One try at handing an email to the SMTP relay (``status_code``: its reply code)."""

    __tablename__ = "email_attempts"

    email_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("email_notifications.id", ondelete="CASCADE"), index=True
    )
