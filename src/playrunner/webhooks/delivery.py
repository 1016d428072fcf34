"""Sending deliveries: claim them, sign them, POST them, record the attempts, and decide what
next, a batch at a time (``outbox/workers.py`` hands out batches).

At least once: a delivery is claimed for ``webhook_lease_seconds`` before it is sent, and
only marked delivered after the receiver answered 2xx. A worker killed in between leaves
the claim to expire; the next sweep hands the delivery to another worker, which sends the
same bytes with the same ``webhook-id``, so receivers drop the repeat.

Claiming, backoff and retries are the outbox's (``playrunner/outbox/lease.py``): failures are
retried with exponential backoff and jitter (a random wait between half and all of
``webhook_retry_base_seconds``, doubling, at most 6 hours) for ``webhook_retry_hours`` (72)
after the event; then the delivery is failed (a redelivered event older than that is tried
once). An endpoint with no successful delivery for that long, while deliveries kept failing,
is disabled, with the reason, for an admin to see.
"""

from __future__ import annotations

import functools
import ipaddress
import time
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import httpx
from sqlalchemy.orm import Session

from playrunner.clock import utcnow
from playrunner.config import Settings
from playrunner.db import Database
from playrunner.errors import InvalidRequest
from playrunner.models.webhook import DeliveryStatus, WebhookAttempt, WebhookDelivery
from playrunner.outbox import lease
from playrunner.outbox.lease import Outcome, elapsed_ms
from playrunner.outbox.workers import Kind
from playrunner.webhooks import addresses, repository, service, signing


def attempt_many(
    database: Database, settings: Settings, delivery_ids: list[uuid.UUID]
) -> dict[uuid.UUID, float]:
    """Try these deliveries, those that are due and that no other worker holds: claim them in
    one statement, send each (one connection per receiver, kept open), record every attempt
    in one transaction. Returns the deliveries to try again and in how many seconds.

    The claim lasts ``webhook_lease_seconds``: deliveries not sent before another send might
    outlast it are given back untried (and tried again at once), as are the rest of an
    endpoint's deliveries once one could not reach it (the sweep brings them back)."""
    now = utcnow()
    lease_seconds = settings.webhook_lease_seconds
    with database.session() as session:
        claimed = lease.claim_many(
            session, WebhookDelivery, delivery_ids, now, now + timedelta(seconds=lease_seconds)
        )
    if not claimed:
        return {}
    with database.session(read_only=True) as session:
        found = repository.to_send_many(session, claimed)
    started = time.monotonic()
    sent: list[tuple[uuid.UUID, datetime, Outcome]] = []
    unreachable: set[uuid.UUID] = set()
    out_of_time: list[uuid.UUID] = []
    key = signing.server_key(settings)
    with httpx.Client(timeout=settings.webhook_timeout_seconds, follow_redirects=False) as client:
        for delivery, event, endpoint in found:
            if endpoint.id in unreachable:
                continue
            if time.monotonic() - started + settings.webhook_timeout_seconds >= lease_seconds:
                out_of_time.append(delivery.id)
                continue
            if endpoint.enabled:
                secret = signing.endpoint_secret(key, endpoint.secret_salt)
                headers = signing.signature_headers(secret, str(event.id), utcnow(), event.payload)
                outcome = post(client, endpoint.url, event.payload, headers, settings)
                if outcome.status_code is None:
                    unreachable.add(endpoint.id)
            else:
                outcome = Outcome(False, None, 0, "the endpoint is disabled")
            sent.append((delivery.id, event.occurred_at, outcome))
    tried = {delivery_id for delivery_id, _, _ in sent}
    waits: dict[uuid.UUID, float] = dict.fromkeys(out_of_time, 0.0)
    with database.session() as session:
        for delivery_id, occurred_at, outcome in sent:
            wait = _record(session, settings, delivery_id, occurred_at, outcome)
            if wait is not None:
                waits[delivery_id] = wait
        lease.release(session, WebhookDelivery, [d for d in claimed if d not in tried])
    return waits


def _record(
    session: Session,
    settings: Settings,
    delivery_id: uuid.UUID,
    occurred_at: datetime,
    outcome: Outcome,
) -> float | None:
    now = utcnow()
    delivery = repository.delivery_by_id(session, delivery_id, for_update=True)
    if delivery is None:
        return None
    tried = WebhookAttempt(delivery_id=delivery_id, **outcome.attempt_values(now))
    if delivery.status is not DeliveryStatus.PENDING:
        # Finished by another worker (the lease ran out mid-send) or by an admin: keep
        # the attempt, not its verdict.
        repository.add_attempt(session, tried)
        return None
    endpoint = repository.endpoint_by_id(session, delivery.endpoint_id, for_update=True)
    repository.add_attempt(session, tried)
    if outcome.ok and endpoint is not None:
        endpoint.failing_since = None
    failing = not outcome.ok and endpoint is not None and endpoint.enabled
    if failing and endpoint is not None and endpoint.failing_since is None:
        endpoint.failing_since = now
    wait = lease.settle(
        delivery,
        outcome,
        now=now,
        retry_until=occurred_at + timedelta(hours=settings.webhook_retry_hours),
        retry_base_seconds=settings.webhook_retry_base_seconds,
        done=DeliveryStatus.DELIVERED,
        failed=DeliveryStatus.FAILED,
        give_up=endpoint is not None and not endpoint.enabled,
    )
    if failing and endpoint is not None:
        # No success since ``failing_since`` (a success clears it), and deliveries
        # still failing the whole period: disabled until an admin enables it.
        since = endpoint.failing_since or now
        if now - since >= timedelta(hours=settings.webhook_retry_hours):
            endpoint.enabled = False
            service.endpoints_changed(session, endpoint.tenant_id)
            endpoint.disabled_reason = (
                f"Every delivery failed for {settings.webhook_retry_hours:g} hours"
                f" (since {since:%Y-%m-%d %H:%M} UTC; last: {lease.describe(outcome)})."
                " Enable it again once it answers."
            )[:500]
    return wait


def post(
    client: httpx.Client, url: str, body: str, headers: dict[str, str], settings: Settings
) -> Outcome:
    """POST ``body`` to ``url`` on an address checked just now (redirects not followed)."""
    started = time.monotonic()
    try:
        target, host_header, sni = _pinned(url, settings.webhooks_allow_private_networks)
        response = client.post(
            target,
            content=body.encode(),
            headers={
                **headers,
                "Host": host_header,
                "Content-Type": "application/json",
                "User-Agent": "Playrunner-Webhooks",
            },
            extensions={"sni_hostname": sni} if sni else {},
        )
        code = response.status_code
        return Outcome(200 <= code < 300, code, elapsed_ms(started), None)
    except InvalidRequest as refused:
        return Outcome(False, None, elapsed_ms(started), refused.message)
    except Exception as exc:
        return Outcome(False, None, elapsed_ms(started), f"{type(exc).__name__}: {exc}"[:500])


def _pinned(url: str, allow_private: bool) -> tuple[str, str, str | None]:
    """``url`` with its host replaced by the address to connect to (checked now, so a name
    that changed its address since the endpoint was saved is refused too), the Host header,
    and the name TLS must verify."""
    host, port, found = addresses.allowed_addresses(url, allow_private)
    address = found[0]
    parts = urlsplit(url)
    literal = (
        f"[{address}]" if ipaddress.ip_address(address.split("%")[0]).version == 6 else address
    )
    netloc = f"{literal}:{port}"
    target = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    host_header = parts.netloc.rpartition("@")[2].encode("idna").decode("ascii")
    return target, host_header, host if parts.scheme == "https" else None


KIND = Kind(
    name=service.OUTBOX_KIND,
    table=WebhookDelivery,
    sender=lambda settings, database: functools.partial(attempt_many, database, settings),
    waiting=lambda session, _settings: service.any_enabled_endpoint(session),
)
