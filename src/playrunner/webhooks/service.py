"""Webhooks: admins register endpoints; changes publish events; each event becomes a delivery
per subscribed endpoint, written in the change's own transaction (the outbox) and sent by the
workers after it commits (``webhooks/delivery.py``).

Which endpoints listen is kept per process for a second (``SUBSCRIPTIONS_TTL``), so with
none listening ``publish`` costs nothing and writes nothing.
"""

from __future__ import annotations

import time
import uuid
import weakref
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, TypeAdapter
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from playrunner.auth.principal import Principal, require_service_admin
from playrunner.clock import utcnow
from playrunner.config import Settings
from playrunner.db import after_commit
from playrunner.errors import InvalidRequest, NotFound
from playrunner.ids import time_ordered_id
from playrunner.models.webhook import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from playrunner.outbox import lease, wakeup
from playrunner.webhooks import addresses, repository, signing
from playrunner.webhooks.schemas import (
    AttemptRead,
    DeliveryRead,
    EndpointCreate,
    EndpointCreated,
    EndpointPatch,
    EndpointRead,
    EventType,
)

# The outbox workers' task that sends deliveries (``outbox/kinds.py``).
OUTBOX_KIND = "deliver"
_CHANGED = "playrunner_endpoints_changed"

# Which endpoints listen is asked on every run, so this process keeps each service's enabled
# endpoints for at most SUBSCRIPTIONS_TTL seconds (by database and service): a change made
# in this process applies to the next call (its commit forgets the entry), a change made by
# another process within that time.
SUBSCRIPTIONS_TTL = 1.0
_subscriptions: dict[tuple[str, str], tuple[float, list[tuple[uuid.UUID, str]]]] = {}
_database_names: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()
_TIMESTAMP = TypeAdapter(datetime)


# Endpoints


def endpoint_read(endpoint: WebhookEndpoint) -> EndpointRead:
    return EndpointRead(
        id=endpoint.id,
        url=endpoint.url,
        description=endpoint.description,
        events=endpoint.events.split(),
        enabled=endpoint.enabled,
        disabled_reason=endpoint.disabled_reason,
        failing_since=endpoint.failing_since,
        created_at=endpoint.created_at,
    )


def list_endpoints(session: Session, actor: Principal) -> list[EndpointRead]:
    require_service_admin(actor)
    return [endpoint_read(e) for e in repository.endpoints(session, actor.tenant_id)]


def get_endpoint(
    session: Session, actor: Principal, endpoint_id: uuid.UUID, *, for_update: bool = False
) -> WebhookEndpoint:
    require_service_admin(actor)
    found = repository.endpoint(session, actor.tenant_id, endpoint_id, for_update=for_update)
    if found is None:
        raise NotFound(f"Webhook endpoint {endpoint_id} not found", field="endpoint_id")
    return found


def create_endpoint(
    session: Session, actor: Principal, spec: EndpointCreate, settings: Settings
) -> EndpointCreated:
    """Register an endpoint; the answer carries its signing secret, shown only this once."""
    require_service_admin(actor)
    addresses.refuse_private(spec.url, settings.webhooks_allow_private_networks)
    endpoint = WebhookEndpoint(
        id=uuid.uuid4(),
        tenant_id=actor.tenant_id,
        url=spec.url,
        description=spec.description,
        events=" ".join(spec.events),
        enabled=spec.enabled,
        secret_salt=signing.new_salt(),
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    session.add(endpoint)
    session.flush()
    endpoints_changed(session, actor.tenant_id)
    _announce(session, [])  # this process's workers start, if they have not
    return _with_secret(endpoint, settings)


def update_endpoint(
    session: Session,
    actor: Principal,
    endpoint_id: uuid.UUID,
    patch: EndpointPatch,
    settings: Settings,
) -> EndpointRead:
    endpoint = get_endpoint(session, actor, endpoint_id, for_update=True)
    if patch.url is not None:
        addresses.refuse_private(patch.url, settings.webhooks_allow_private_networks)
        endpoint.url = patch.url
    if patch.events is not None:
        endpoint.events = " ".join(patch.events)
    if patch.description is not None:
        endpoint.description = patch.description
    if patch.enabled is not None:
        endpoint.enabled = patch.enabled
        if patch.enabled:
            endpoint.disabled_reason = None
            endpoint.failing_since = None
    endpoint.updated_at = utcnow()
    session.flush()
    endpoints_changed(session, actor.tenant_id)
    return endpoint_read(endpoint)


def rotate_secret(
    session: Session, actor: Principal, endpoint_id: uuid.UUID, settings: Settings
) -> EndpointCreated:
    """A new signing secret (shown once); the old one stops signing at once."""
    endpoint = get_endpoint(session, actor, endpoint_id, for_update=True)
    endpoint.secret_salt = signing.new_salt()
    endpoint.updated_at = utcnow()
    session.flush()
    return _with_secret(endpoint, settings)


def delete_endpoint(session: Session, actor: Principal, endpoint_id: uuid.UUID) -> None:
    """Delete an endpoint with its deliveries (nothing more is sent to it)."""
    session.delete(get_endpoint(session, actor, endpoint_id, for_update=True))
    session.flush()
    endpoints_changed(session, actor.tenant_id)


def _with_secret(endpoint: WebhookEndpoint, settings: Settings) -> EndpointCreated:
    secret = signing.endpoint_secret(signing.server_key(settings), endpoint.secret_salt)
    return EndpointCreated(**endpoint_read(endpoint).model_dump(), secret=secret)


# Deliveries


def list_deliveries(
    session: Session, actor: Principal, endpoint_id: uuid.UUID, limit: int = 50
) -> list[DeliveryRead]:
    """The endpoint's latest deliveries, newest first, each with every attempt."""
    endpoint = get_endpoint(session, actor, endpoint_id)
    rows = repository.deliveries(session, actor.tenant_id, endpoint.id, limit)
    attempts: dict[uuid.UUID, list[AttemptRead]] = {}
    for attempt in repository.attempts(session, [d.id for d, _ in rows]):
        attempts.setdefault(attempt.delivery_id, []).append(
            AttemptRead(
                attempted_at=attempt.attempted_at,
                status_code=attempt.status_code,
                latency_ms=attempt.latency_ms,
                error=attempt.error,
            )
        )
    return [_delivery_read(d, kind, attempts.get(d.id, [])) for d, kind in rows]


def _delivery_read(
    delivery: WebhookDelivery, event_type: str, attempts: list[AttemptRead]
) -> DeliveryRead:
    pending = delivery.status is DeliveryStatus.PENDING
    return DeliveryRead(
        id=delivery.id,
        endpoint_id=delivery.endpoint_id,
        event_id=delivery.event_id,
        event_type=event_type,
        status=delivery.status,
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at if pending else None,
        last_error=delivery.last_error,
        created_at=delivery.created_at,
        finished_at=delivery.finished_at,
        attempt_log=attempts,
    )


def delivery_counts(session: Session, tenant_id: str) -> dict[str, int]:
    """How many of the service's deliveries are in each status."""
    return lease.status_counts(session, WebhookDelivery, tenant_id)


def redeliver(session: Session, actor: Principal, delivery_id: uuid.UUID) -> DeliveryRead:
    """Send a delivery again now, whatever became of it (the same event id: receivers that
    saw it before may drop it)."""
    require_service_admin(actor)  # before looking: a non-admin learns nothing of deliveries
    delivery = repository.delivery(session, actor.tenant_id, delivery_id, for_update=True)
    if delivery is None:
        raise NotFound(f"Webhook delivery {delivery_id} not found", field="delivery_id")
    endpoint = get_endpoint(session, actor, delivery.endpoint_id)
    if not endpoint.enabled:
        raise InvalidRequest(
            "The endpoint is disabled: enable it first, then redeliver", field="delivery_id"
        )
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = utcnow()
    delivery.locked_until = None
    delivery.finished_at = None
    session.flush()
    _announce(session, [delivery.id])
    return _delivery_read(delivery, repository.event_type(session, delivery.event_id), [])


# Publishing


def any_enabled_endpoint(session: Session) -> bool:
    """Whether any service has an enabled endpoint (whether workers have anything to do)."""
    return repository.any_enabled_endpoint(session)


def listening(session: Session, tenant_id: str, event_types: Sequence[str]) -> bool:
    """Whether any enabled endpoint of the service wants one of these event types."""
    return any(_subscribers(session, tenant_id, t) for t in event_types)


def publish(
    session: Session, tenant_id: str, event_type: EventType, resources: Sequence[BaseModel]
) -> None:
    """Record one event per resource for every endpoint that wants ``event_type``, in this
    unit of work."""
    publish_all(session, tenant_id, [(event_type, resources)])


def publish_all(
    session: Session,
    tenant_id: str,
    batches: Sequence[tuple[EventType, Sequence[BaseModel]]],
    occurred_at: datetime | None = None,
) -> None:
    """``publish`` for several event types at once: one INSERT for all their events, one
    for all their deliveries. ``occurred_at``: when the change was made, if earlier than
    now (events written by the workers from an announcement)."""
    now = occurred_at or utcnow()
    stamp = _TIMESTAMP.dump_json(now).decode()
    events: list[dict[str, Any]] = []
    deliveries: list[dict[str, Any]] = []
    for event_type, resources in batches:
        subscribers = _subscribers(session, tenant_id, event_type)
        if subscribers:
            _events(tenant_id, event_type, resources, subscribers, now, stamp, events, deliveries)
    if events:
        repository.add_events(session, events, deliveries)
        _announce(session, [d["id"] for d in deliveries])


def _events(
    tenant_id: str,
    event_type: EventType,
    resources: Sequence[BaseModel],
    subscribers: list[uuid.UUID],
    now: datetime,
    stamp: str,
    events: list[dict[str, Any]],
    deliveries: list[dict[str, Any]],
) -> None:
    """Add an event per resource, and a delivery of it per subscriber, to those lists."""
    for resource in resources:
        event_id = time_ordered_id()
        events.append(
            {
                "id": event_id,
                "tenant_id": tenant_id,
                "type": event_type,
                "occurred_at": now,
                "payload": _event_body(event_id, event_type, stamp, resource),
            }
        )
        for endpoint_id in subscribers:
            deliveries.append(
                {
                    "id": time_ordered_id(),
                    "tenant_id": tenant_id,
                    "event_id": event_id,
                    "endpoint_id": endpoint_id,
                    "status": DeliveryStatus.PENDING,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
            )


def _event_body(event_id: uuid.UUID, event_type: str, stamp: str, resource: BaseModel) -> str:
    """The JSON ``schemas.EventBody`` describes, written directly: the resource is
    serialised once (event types are fixed words that need no escaping)."""
    data = resource.model_dump_json()
    return f'{{"id":"{event_id}","type":"{event_type}","timestamp":{stamp},"data":{data}}}'


def _subscribers(session: Session, tenant_id: str, event_type: str) -> list[uuid.UUID]:
    key = _cache_key(session, tenant_id)
    now = time.monotonic()
    cached = _subscriptions.get(key)
    if cached is None or now - cached[0] > SUBSCRIPTIONS_TTL or session.info.get(_CHANGED):
        cached = (now, repository.subscriptions(session, tenant_id))
        if not session.info.get(_CHANGED):  # not this unit of work's own, uncommitted view
            _subscriptions[key] = cached
    return [
        endpoint_id
        for endpoint_id, events in cached[1]
        if events == "*" or event_type in events.split()
    ]


def endpoints_changed(session: Session, tenant_id: str) -> None:
    """This unit of work changed the service's endpoints (or which are enabled): it reads
    them afresh, and once it commits, so does every later call in this process."""
    session.info[_CHANGED] = True
    key = _cache_key(session, tenant_id)
    after_commit(session, lambda: _forget(key))


def _forget(key: tuple[str, str]) -> None:
    _subscriptions.pop(key, None)


def _cache_key(session: Session, tenant_id: str) -> tuple[str, str]:
    engine = session.get_bind().engine
    url = _database_names.get(engine)
    if url is None:
        url = _database_names[engine] = str(engine.url)  # (rendering it is not free)
    return (url, tenant_id)


def _announce(session: Session, delivery_ids: list[uuid.UUID]) -> None:
    """Once this unit of work commits, tell the workers about these deliveries."""
    wakeup.announce(session, OUTBOX_KIND, delivery_ids)
