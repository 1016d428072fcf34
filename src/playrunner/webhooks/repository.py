"""Webhook rows: endpoints, the outbox (events and deliveries) and attempts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from playrunner.models.webhook import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from playrunner.row_inserts import RowInsert

_INSERT_EVENT = RowInsert(WebhookEvent)
_INSERT_DELIVERY = RowInsert(WebhookDelivery)


def endpoints(session: Session, tenant_id: str) -> Sequence[WebhookEndpoint]:
    query = (
        select(WebhookEndpoint)
        .where(WebhookEndpoint.tenant_id == tenant_id)
        .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
    )
    return session.scalars(query).all()


def subscriptions(session: Session, tenant_id: str) -> list[tuple[uuid.UUID, str]]:
    """(endpoint id, its event types) of the service's enabled endpoints."""
    query = select(WebhookEndpoint.id, WebhookEndpoint.events).where(
        WebhookEndpoint.tenant_id == tenant_id, WebhookEndpoint.enabled.is_(True)
    )
    return [(row.id, row.events) for row in session.execute(query)]


def any_enabled_endpoint(session: Session) -> bool:
    query = select(WebhookEndpoint.id).where(WebhookEndpoint.enabled.is_(True)).limit(1)
    return session.scalar(query) is not None


def endpoint(
    session: Session, tenant_id: str, endpoint_id: uuid.UUID, *, for_update: bool = False
) -> WebhookEndpoint | None:
    query = select(WebhookEndpoint).where(
        WebhookEndpoint.tenant_id == tenant_id, WebhookEndpoint.id == endpoint_id
    )
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def add_events(
    session: Session, events: list[dict[str, object]], deliveries: list[dict[str, object]]
) -> None:
    """One INSERT per table, through the driver (on the trigger path: ``row_inserts``)."""
    _INSERT_EVENT.execute(session, events)
    _INSERT_DELIVERY.execute(session, deliveries)


def deliveries(
    session: Session, tenant_id: str, endpoint_id: uuid.UUID, limit: int
) -> Sequence[tuple[WebhookDelivery, str]]:
    query = (
        select(WebhookDelivery, WebhookEvent.type)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.tenant_id == tenant_id, WebhookDelivery.endpoint_id == endpoint_id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id)
        .limit(limit)
    )
    return [(row[0], row[1]) for row in session.execute(query)]


def delivery(
    session: Session, tenant_id: str, delivery_id: uuid.UUID, *, for_update: bool = False
) -> WebhookDelivery | None:
    query = select(WebhookDelivery).where(
        WebhookDelivery.tenant_id == tenant_id, WebhookDelivery.id == delivery_id
    )
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def event_type(session: Session, event_id: uuid.UUID) -> str:
    return session.scalars(select(WebhookEvent.type).where(WebhookEvent.id == event_id)).one()


def attempts(session: Session, delivery_ids: Sequence[uuid.UUID]) -> Sequence[WebhookAttempt]:
    query = (
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id.in_(delivery_ids))
        .order_by(WebhookAttempt.attempted_at, WebhookAttempt.id)
    )
    return session.scalars(query).all()


def to_send_many(
    session: Session, delivery_ids: list[uuid.UUID]
) -> list[tuple[WebhookDelivery, WebhookEvent, WebhookEndpoint]]:
    """These deliveries with their events and endpoints, oldest event first."""
    query = (
        select(WebhookDelivery, WebhookEvent, WebhookEndpoint)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.id.in_(delivery_ids))
        .order_by(WebhookEvent.occurred_at, WebhookDelivery.id)
    )
    return [(row[0], row[1], row[2]) for row in session.execute(query)]


def add_attempt(session: Session, attempt: WebhookAttempt) -> None:
    session.add(attempt)


def delivery_by_id(
    session: Session, delivery_id: uuid.UUID, *, for_update: bool = False
) -> WebhookDelivery | None:
    query = select(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def endpoint_by_id(
    session: Session, endpoint_id: uuid.UUID, *, for_update: bool = False
) -> WebhookEndpoint | None:
    query = select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()
