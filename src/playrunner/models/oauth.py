"""OAuth applications, the authorization codes they are given, and the tokens they hold.

Every secret (client secret, code, access and refresh token) is kept only as a SHA-256 hash.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from playrunner.clock import utcnow
from playrunner.enums import GrantType
from playrunner.models.base import Base, UUIDPrimaryKey, enum_column

DEFAULT_ACCESS_TOKEN_LIFETIME = 3600


class OAuthApp(UUIDPrimaryKey, Base):
    """An application registered by an admin. Deleting one keeps the row (``deleted_at``) and
    revokes its tokens, so a token of a deleted app says it was revoked."""

    __tablename__ = "oauth_apps"

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    secret_hint: Mapped[str] = mapped_column(String(16))
    # GrantType values, scope names and URIs, each list sorted and without duplicates.
    grant_types: Mapped[list[Any]]
    scopes: Mapped[list[Any]]
    redirect_uris: Mapped[list[Any]]
    # The user a client-credentials token acts as.
    acting_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    access_token_lifetime: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_ACCESS_TOKEN_LIFETIME
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]


class OAuthAuthorizationCode(UUIDPrimaryKey, Base):
    """A code from the consent page. Used once: ``used_at`` is kept so a second use can be
    recognised and the tokens of the first revoked (RFC 6749 4.1.2)."""

    __tablename__ = "oauth_authorization_codes"

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    app_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("oauth_apps.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # As the authorization request gave it (None when the app's only URI was implied).
    redirect_uri: Mapped[str | None] = mapped_column(Text)
    scopes: Mapped[list[Any]]
    code_challenge: Mapped[str] = mapped_column(String(128))
    code_challenge_method: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class OAuthToken(UUIDPrimaryKey, Base):
    """An access token and, for the authorization code grant, its refresh token. Revoking
    either revokes both."""

    __tablename__ = "oauth_tokens"
    __table_args__ = (Index("ix_oauth_tokens_app_expires", "app_id", "expires_at"),)

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    app_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("oauth_apps.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # The grant the chain of tokens started from (a refreshed token keeps authorization_code).
    grant_type: Mapped[GrantType] = mapped_column(enum_column(GrantType))
    authorization_code_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("oauth_authorization_codes.id", ondelete="SET NULL"), index=True
    )
    scopes: Mapped[list[Any]]
    access_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    refresh_expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
