"""Queries for OAuth applications, authorization codes and tokens. Every lookup by a secret
goes by its SHA-256 hash; every lookup for an admin is scoped to their tenant."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, exists, or_, select, update
from sqlalchemy.orm import Session

from playrunner.models import (
    GrantType,
    OAuthApp,
    OAuthAuthorizationCode,
    OAuthToken,
    User,
    UserRole,
)
from playrunner.pagination import page_of


@dataclass(frozen=True, slots=True)
class AccessCredentials:
    """An access token joined with its app and user: everything authentication needs."""

    token_id: uuid.UUID
    tenant_id: str
    app_id: uuid.UUID
    expires_at: datetime
    revoked_at: datetime | None
    token_scopes: list[Any]
    app_scopes: list[Any]
    app_deleted_at: datetime | None
    user_id: uuid.UUID
    email: str
    name: str
    role: UserRole
    active: bool


# Built once: this query runs on every call made with an application's token.
_ACCESS_CREDENTIALS_BY_HASH = (
    select(
        OAuthToken.id,
        OAuthToken.tenant_id,
        OAuthToken.app_id,
        OAuthToken.expires_at,
        OAuthToken.revoked_at,
        OAuthToken.scopes,
        OAuthApp.scopes,
        OAuthApp.deleted_at,
        User.id,
        User.email,
        User.name,
        User.role,
        User.active,
    )
    .join(OAuthApp, OAuthApp.id == OAuthToken.app_id)
    .join(User, User.id == OAuthToken.user_id)
    .where(OAuthToken.access_token_hash == bindparam("token_hash"))
)


def find_access_credentials(session: Session, token_hash: str) -> AccessCredentials | None:
    row = session.connection().execute(_ACCESS_CREDENTIALS_BY_HASH, {"token_hash": token_hash})
    found = row.first()
    return AccessCredentials(*found) if found is not None else None


def add(session: Session, item: OAuthApp | OAuthAuthorizationCode | OAuthToken) -> None:
    session.add(item)
    session.flush()


# Applications


def get_app(session: Session, tenant_id: str, app_id: uuid.UUID) -> OAuthApp | None:
    return session.scalars(
        select(OAuthApp).where(
            OAuthApp.tenant_id == tenant_id, OAuthApp.id == app_id, OAuthApp.deleted_at.is_(None)
        )
    ).first()


def get_app_by_client_id(session: Session, client_id: str) -> OAuthApp | None:
    """Any tenant's app: the client id is what identifies the tenant at the token endpoint."""
    return session.scalars(
        select(OAuthApp).where(OAuthApp.client_id == client_id, OAuthApp.deleted_at.is_(None))
    ).first()


def find_apps_page(
    session: Session, tenant_id: str, limit: int, offset: int
) -> tuple[list[OAuthApp], int]:
    """One page of the tenant's apps (oldest first) and how many there are in all."""
    query = select(OAuthApp).where(OAuthApp.tenant_id == tenant_id, OAuthApp.deleted_at.is_(None))
    return page_of(session, query.order_by(OAuthApp.created_at, OAuthApp.id), limit, offset)


def emails_of(
    session: Session, tenant_id: str, user_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, str]:
    wanted = set(user_ids)
    if not wanted:
        return {}
    rows = session.connection().execute(
        select(User.id, User.email).where(User.tenant_id == tenant_id, User.id.in_(wanted))
    )
    return {row[0]: row[1] for row in rows}


# Authorization codes


def get_code(session: Session, app_id: uuid.UUID, code_hash: str) -> OAuthAuthorizationCode | None:
    """The code, locked until the transaction ends (on PostgreSQL), so that two requests
    redeeming it at once are taken one after the other and the second sees it used."""
    return session.scalars(
        select(OAuthAuthorizationCode)
        .where(
            OAuthAuthorizationCode.app_id == app_id,
            OAuthAuthorizationCode.code_hash == code_hash,
        )
        .with_for_update()
    ).first()


def delete_codes_expired_before(session: Session, app_id: uuid.UUID, cutoff: datetime) -> None:
    """Codes long expired that no token descends from; a code with tokens is kept, since it
    is what ties a refresh token's family together for reuse detection."""
    session.execute(
        delete(OAuthAuthorizationCode).where(
            OAuthAuthorizationCode.app_id == app_id,
            OAuthAuthorizationCode.expires_at < cutoff,
            ~exists().where(OAuthToken.authorization_code_id == OAuthAuthorizationCode.id),
        )
    )


def delete_unused_codes(session: Session, app_id: uuid.UUID) -> None:
    session.execute(
        delete(OAuthAuthorizationCode).where(
            OAuthAuthorizationCode.app_id == app_id, OAuthAuthorizationCode.used_at.is_(None)
        )
    )


# Tokens


def get_token_by_access_hash(session: Session, token_hash: str) -> OAuthToken | None:
    return session.scalars(
        select(OAuthToken).where(OAuthToken.access_token_hash == token_hash)
    ).first()


def get_token_by_refresh_hash(session: Session, token_hash: str) -> OAuthToken | None:
    """The token, locked like ``get_code``: a refresh token is used once even when two
    requests present it at the same moment."""
    return session.scalars(
        select(OAuthToken).where(OAuthToken.refresh_token_hash == token_hash).with_for_update()
    ).first()


def revoke_tokens(
    session: Session,
    app_id: uuid.UUID,
    when: datetime,
    *,
    grant_types: Iterable[GrantType] | None = None,
    authorization_code_id: uuid.UUID | None = None,
) -> None:
    """Revoke the app's live tokens: all, those of some grant types, or those descended from
    one authorization code."""
    conditions = [OAuthToken.app_id == app_id, OAuthToken.revoked_at.is_(None)]
    if grant_types is not None:
        conditions.append(OAuthToken.grant_type.in_(list(grant_types)))
    if authorization_code_id is not None:
        conditions.append(OAuthToken.authorization_code_id == authorization_code_id)
    session.execute(
        update(OAuthToken).where(*conditions).values(revoked_at=when),
        execution_options={"synchronize_session": False},
    )


def delete_tokens_expired_before(session: Session, app_id: uuid.UUID, cutoff: datetime) -> None:
    """Tokens nobody can use any more: the access token and any refresh token are past."""
    session.execute(
        delete(OAuthToken).where(
            OAuthToken.app_id == app_id,
            OAuthToken.expires_at < cutoff,
            or_(OAuthToken.refresh_expires_at.is_(None), OAuthToken.refresh_expires_at < cutoff),
        )
    )
