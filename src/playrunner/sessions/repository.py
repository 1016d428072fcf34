"""Queries for web sessions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from playrunner.models import User, UserRole, WebSession


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A session joined with its user: everything a page needs to know who is there."""

    session_id: uuid.UUID
    tenant_id: str
    expires_at: datetime
    user_id: uuid.UUID
    email: str
    name: str
    role: UserRole
    active: bool


# Built once: this query runs for every page.
_BY_HASH = (
    select(
        WebSession.id,
        WebSession.tenant_id,
        WebSession.expires_at,
        User.id,
        User.email,
        User.name,
        User.role,
        User.active,
    )
    .join(User, User.id == WebSession.user_id)
    .where(WebSession.secret_hash == bindparam("secret_hash"))
)


def find_signed_in(session: Session, secret_hash: str) -> SignedIn | None:
    row = session.execute(_BY_HASH, {"secret_hash": secret_hash}).first()
    return SignedIn(*row) if row is not None else None


def add(session: Session, web_session: WebSession) -> WebSession:
    session.add(web_session)
    session.flush()
    return web_session


def delete_by_hash(session: Session, secret_hash: str) -> None:
    session.execute(delete(WebSession).where(WebSession.secret_hash == secret_hash))


def delete_expired_of(session: Session, user_id: uuid.UUID, now: datetime) -> None:
    session.execute(
        delete(WebSession).where(WebSession.user_id == user_id, WebSession.expires_at <= now)
    )
