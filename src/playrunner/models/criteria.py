"""Event criteria: which accounts are inside a play's criteria, and the checks waiting to be
made after an account's attributes changed (``criteria/``).

A ``CriteriaCheck`` is written in the same transaction as the change it is about (the API,
a CSV import, a submitted form, an inbound event), so a change that commits is always
checked, and one that rolls back never is. The outbox workers check it against the
service's event plays, then delete it with the same commit as the states and runs it made.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from playrunner.clock import utcnow
from playrunner.models.base import Base, UUIDPrimaryKey, enum_column, nullable_json
from playrunner.models.outbox import OutboxColumns


class CriteriaCheckStatus(enum.StrEnum):
    """A check is deleted once made; these are the states before that."""

    PENDING = "pending"
    FAILED = "failed"  # could not be made for the whole retry period (last_error says why)


class CriteriaCheck(OutboxColumns, UUIDPrimaryKey, Base):
    """Check one account against the service's event plays. ``changes``: what changed, by
    attribute, as ``[before, after]`` (what "changed to" conditions look at); NULL for the
    daily check of date conditions. ``actor_user_id``: who made the change (the runner of
    the runs it causes)."""

    __tablename__ = "criteria_checks"
    __table_args__ = (Index("ix_criteria_checks_due", "status", "next_attempt_at"),)

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    changes: Mapped[dict[str, Any] | None] = mapped_column(nullable_json())
    # The account's attributes just after the change (what is checked: several changes
    # waiting for the workers are each checked as they were made); NULL for the daily check,
    # which reads them as they are.
    attributes: Mapped[dict[str, Any] | None] = mapped_column(nullable_json())
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    status: Mapped[CriteriaCheckStatus] = mapped_column(
        enum_column(CriteriaCheckStatus), default=CriteriaCheckStatus.PENDING
    )


class CriteriaState(Base):
    """Whether an account is inside a play's criteria since its last check: a play runs on
    the change of this, so never twice for one entry (or one exit)."""

    __tablename__ = "criteria_states"

    play_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("success_plays.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    inside: Mapped[bool]
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class DailyCriteriaCheck(Base):
    """A service's accounts were queued for the daily check of date conditions on ``day``
    (the first worker to write this row does it; the others find it written)."""

    __tablename__ = "criteria_daily_checks"

    tenant_id: Mapped[str] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)
    accounts: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
