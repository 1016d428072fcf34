"""Queries for personal access tokens."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from playrunner.driver import PreparedSelect
from playrunner.models import AccessToken, User, UserRole


@dataclass(frozen=True, slots=True)
class Credentials:
    """A token joined with the user it acts as: everything authentication needs."""

    token_id: uuid.UUID
    tenant_id: str
    expires_at: datetime | None
    revoked_at: datetime | None
    user_id: uuid.UUID
    email: str
    name: str
    role: UserRole
    active: bool


# Built once and sent through the driver (driver.py): this query runs whenever a process
# does not keep the token's principal (auth/principals.py).
_CREDENTIALS_BY_HASH = PreparedSelect(
    select(
        AccessToken.id,
        AccessToken.tenant_id,
        AccessToken.expires_at,
        AccessToken.revoked_at,
        User.id,
        User.email,
        User.name,
        User.role,
        User.active,
    )
    .join(User, User.id == AccessToken.user_id)
    .where(AccessToken.secret_hash == bindparam("secret_hash"))
)


def find_credentials(session: Session, secret_hash: str) -> Credentials | None:
    rows = _CREDENTIALS_BY_HASH.rows(session.connection(), {"secret_hash": secret_hash})
    return Credentials(*rows[0]) if rows else None


def add(session: Session, token: AccessToken) -> AccessToken:
    session.add(token)
    session.flush()
    return token


def get_for_user(
    session: Session, tenant_id: str, user_id: uuid.UUID, token_id: uuid.UUID
) -> AccessToken | None:
    return session.scalars(
        select(AccessToken).where(
            AccessToken.tenant_id == tenant_id,
            AccessToken.user_id == user_id,
            AccessToken.id == token_id,
        )
    ).first()


def list_for_user(session: Session, tenant_id: str, user_id: uuid.UUID) -> list[AccessToken]:
    return list(
        session.scalars(
            select(AccessToken)
            .where(AccessToken.tenant_id == tenant_id, AccessToken.user_id == user_id)
            .order_by(AccessToken.created_at, AccessToken.id)
        )
    )
