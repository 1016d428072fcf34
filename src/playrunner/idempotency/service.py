"""``Idempotency-Key``: a retried call with the same key and body gets the first answer,
and creates nothing, for 24 hours.

A key is claimed inside the call's own unit of work, before the play runs, by inserting it
under a unique constraint; the answer is stored in the same transaction. A call that fails
rolls the claim back with everything else, so retrying it simply runs it. Keys belong to
the caller (a token, or an OAuth app), so two callers never share one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
from sqlalchemy.orm import Session

from playrunner.auth.principal import Principal
from playrunner.clock import utcnow
from playrunner.errors import Conflict, IdempotencyKeyReused, InvalidRequest
from playrunner.idempotency import repository
from playrunner.ids import time_ordered_id

LIFETIME = timedelta(hours=24)
_IN_PROGRESS = 0


@dataclass(frozen=True)
class IdempotentRequest:
    key: str
    request_hash: str


@dataclass(frozen=True)
class StoredAnswer:
    status_code: int
    body: dict[str, Any]


def idempotent_request(key: str | None, route: str, payload: Any) -> IdempotentRequest | None:
    """The key (checked) and a fingerprint of the request it was sent with."""
    if key is None:
        return None
    if not 1 <= len(key) <= 255 or not key.isascii() or not key.isprintable():
        raise InvalidRequest(
            "Idempotency-Key must be 1 to 255 printable ASCII characters", field="Idempotency-Key"
        )
    canonical = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
    digest = hashlib.sha256(route.encode() + b"\n" + canonical).hexdigest()
    return IdempotentRequest(key, digest)


def begin(session: Session, caller: Principal, request: IdempotentRequest) -> StoredAnswer | None:
    """Claim the key for this request (None: go ahead), or the answer it already had."""
    now = utcnow()
    values = {
        "id": time_ordered_id(),
        "tenant_id": caller.tenant_id,
        "caller": caller.caller,
        "key": request.key,
        "request_hash": request.request_hash,
        "status_code": _IN_PROGRESS,
        "response": "",
        "created_at": now,
        "expires_at": now + LIFETIME,
    }
    if repository.claim(session, values):
        return None
    existing = repository.get(session, caller.caller, request.key)
    if existing is None or existing.expires_at <= now:
        # Expired (or removed meanwhile): the key is free again.
        if existing is not None:
            repository.remove(session, existing)
        repository.claim(session, values)
        return None
    if existing.request_hash != request.request_hash:
        raise IdempotencyKeyReused(
            "Idempotency-Key was already used with a different request; use a new key"
        )
    if existing.status_code == _IN_PROGRESS:
        raise Conflict("A request with this Idempotency-Key is still being processed")
    # orjson keeps the keys in the order they were written, so the replay's bytes are the
    # first answer's.
    return StoredAnswer(existing.status_code, orjson.loads(existing.response))


def finish(
    session: Session, caller: Principal, request: IdempotentRequest, answer: StoredAnswer
) -> None:
    """Record the answer the claimed key gets from now on."""
    record = repository.get(session, caller.caller, request.key)
    if record is None:  # pragma: no cover - claimed earlier in this transaction
        raise Conflict("Idempotency-Key vanished while the request ran")
    record.status_code = answer.status_code
    record.response = orjson.dumps(answer.body).decode()
    session.flush()
