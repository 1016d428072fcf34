"""Web sessions: a browser signs in once and carries a cookie whose secret names its session.

The secret has the shape of every Playrunner secret (``prses_`` + 190 random bits + checksum)
and only its SHA-256 is stored, as for tokens. Each page looks the session up joined with its
user, so signing out, deactivating the user or demoting them applies to the next page. A
session lasts ``SESSION_LIFETIME`` from sign-in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from playrunner.auth.principal import Principal
from playrunner.clock import utcnow
from playrunner.models import User, WebSession
from playrunner.sessions import repository
from playrunner.tokens import secrets

PREFIX = "prses_"
SESSION_LIFETIME = timedelta(days=14)


@dataclass(frozen=True)
class StartedSession:
    """A new session and its secret, which exists only here (for the cookie)."""

    secret: str
    web_session: WebSession


def start(session: Session, user: User) -> StartedSession:
    """Sign ``user`` in: a new session (and the user's expired ones cleared away)."""
    now = utcnow()
    repository.delete_expired_of(session, user.id, now)
    secret = secrets.generate_secret(PREFIX)
    web_session = WebSession(
        tenant_id=user.tenant_id,
        user_id=user.id,
        secret_hash=secrets.hash_secret(secret),
        created_at=now,
        expires_at=now + SESSION_LIFETIME,
    )
    return StartedSession(secret, repository.add(session, web_session))


def signed_in(session: Session, secret: str | None) -> Principal | None:
    """Who the cookie's secret signs in, or None: no such session, an expired one, or a user
    who has since been deactivated."""
    if not secret or not secrets.is_well_formed(secret, PREFIX):
        return None
    found = repository.find_signed_in(session, secrets.hash_secret(secret))
    if found is None or found.expires_at <= utcnow() or not found.active:
        return None
    return Principal(
        tenant_id=found.tenant_id,
        user_id=found.user_id,
        email=found.email,
        name=found.name,
        role=found.role,
    )


def end(session: Session, secret: str | None) -> None:
    """Sign out: the session is gone, whatever else holds its cookie."""
    if secret and secrets.is_well_formed(secret, PREFIX):
        repository.delete_by_hash(session, secrets.hash_secret(secret))
