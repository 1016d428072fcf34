"""Inbound events: sources that external systems post events to, the rules that map an event
to an account and an action, and every event received with what came of it (``inbound/``).
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from playrunner.clock import utcnow
from playrunner.models.base import Base, UUIDPrimaryKey, enum_column, nullable_json
from playrunner.models.outbox import OutboxColumns


class EventSource(UUIDPrimaryKey, Base):
    """Where a system posts its events: ``POST /api/v1/events/{name}``, signed as the
    Standard Webhooks specification says with a secret derived from ``secret_salt`` (as an
    outbound endpoint's: shown once, never stored)."""

    __tablename__ = "event_sources"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    secret_salt: Mapped[str] = mapped_column(String(64))
    # Who created it: the runner of the plays its events run.
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RuleAction(enum.StrEnum):
    SET_ATTRIBUTES = "set_attributes"  # on the account (event plays may react)
    RUN_PLAY = "run_play"  # a manual play, on the account


class EventRule(UUIDPrimaryKey, Base):
    """What a source's events that match ``match`` (JMESPath expressions and the values they
    must give) do to the account found at ``account_path``. Rules are tried in ``position``
    order; the first that matches applies."""

    __tablename__ = "event_rules"

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    source_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("event_sources.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int]
    match: Mapped[dict[str, Any]]
    account_path: Mapped[str] = mapped_column(String(500))
    action: Mapped[RuleAction] = mapped_column(enum_column(RuleAction))
    # set_attributes: attribute -> JMESPath expression of its value in the event.
    attributes: Mapped[dict[str, Any] | None] = mapped_column(nullable_json())
    # run_play: the play.
    play_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("success_plays.id", ondelete="CASCADE")
    )
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class InboundEventStatus(enum.StrEnum):
    PENDING = "pending"  # stored, not yet processed
    PROCESSED = "processed"  # a rule applied (``outcome`` says what it did)
    IGNORED = "ignored"  # nothing was done (``outcome`` says why)
    FAILED = "failed"  # processing failed for the whole retry period


class InboundEvent(OutboxColumns, UUIDPrimaryKey, Base):
    """An event as received (``payload``: its body), deduplicated by the sender's
    ``event_id`` (the ``webhook-id`` header) per source, processed by the outbox workers."""

    __tablename__ = "inbound_events"
    __table_args__ = (
        UniqueConstraint("source_id", "event_id"),
        Index("ix_inbound_events_due", "status", "next_attempt_at"),
        Index("ix_inbound_events_source_created", "source_id", "created_at"),
    )

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    source_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("event_sources.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(255))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[InboundEventStatus] = mapped_column(
        enum_column(InboundEventStatus), default=InboundEventStatus.PENDING
    )
    outcome: Mapped[str | None] = mapped_column(String(1000))
    rule_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("event_rules.id", ondelete="SET NULL")
    )
    account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    run_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
