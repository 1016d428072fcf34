"""Outbound webhooks: the endpoints admins register, the events Playrunner records, and each
delivery of an event to an endpoint with its attempts.

Events and their deliveries are written in the same transaction as the change that caused
them (the outbox), so a run and its events commit together or not at all; workers then send
the deliveries (``webhooks/delivery.py``).
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from playrunner.clock import utcnow
from playrunner.models.base import Base, UUIDPrimaryKey, enum_column
from playrunner.models.outbox import AttemptColumns, OutboxColumns


class WebhookEndpoint(UUIDPrimaryKey, Base):
    """Where a service's events are sent. The signing secret is never stored: it is derived
    from the server's key and ``secret_salt`` (``webhooks/signing.py``)."""

    __tablename__ = "webhook_endpoints"

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(500), default="")
    # Event types, space-separated ("run.created task.created"); "*" for every type.
    events: Mapped[str] = mapped_column(String(500))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    secret_salt: Mapped[str] = mapped_column(String(64))
    # Since when every delivery has failed (None while the endpoint answers).
    failing_since: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookEvent(UUIDPrimaryKey, Base):
    """Something that happened, as sent: ``payload`` is the JSON body, kept as written so
    every retry sends the same bytes."""

    __tablename__ = "webhook_events"

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime]
    payload: Mapped[str] = mapped_column(Text)


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookDelivery(OutboxColumns, UUIDPrimaryKey, Base):
    """One event to one endpoint. A worker claims it by moving ``locked_until`` into the
    future; a worker killed mid-delivery leaves the claim to expire, and the next sweep
    hands the delivery to another worker."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_events.id", ondelete="CASCADE"), index=True
    )
    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus), default=DeliveryStatus.PENDING
    )


class WebhookAttempt(AttemptColumns, UUIDPrimaryKey, Base):
    """One try at sending a delivery: when, what came back, how long it took."""

    __tablename__ = "webhook_attempts"

    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
