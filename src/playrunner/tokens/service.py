"""Personal access tokens: issue, list, revoke, and authenticate a presented secret."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from playrunner.auth import principals
from playrunner.auth.principal import Principal
from playrunner.clock import utcnow
from playrunner.errors import AuthenticationFailed, Conflict, InvalidRequest, NotFound
from playrunner.models import AccessToken
from playrunner.tokens import repository, secrets

EXPIRY_CHOICES = ("7d", "30d", "60d", "90d", "never")
_DAYS = re.compile(r"^(7|30|60|90)d$")


@dataclass(frozen=True)
class IssuedToken:
    """A freshly created token. ``secret`` exists only here: it is never stored."""

    token: AccessToken
    secret: str


def parse_expiry(value: str, now: datetime) -> datetime | None:
    """Totango's choices: 7, 30, 60 or 90 days, never, or a custom date (valid through that day)."""
    value = value.strip()
    if value == "never":
        return None
    if match := _DAYS.match(value):
        return now + timedelta(days=int(match.group(1)))
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidRequest(
            f"Expiry {value!r} is not one of {', '.join(EXPIRY_CHOICES)} or a date (YYYY-MM-DD)",
            field="expires",
        ) from None
    if day == date.max:
        raise InvalidRequest(f"Expiry date {value} is too far in the future", field="expires")
    expires_at = datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)
    if expires_at <= now:
        raise InvalidRequest(f"Expiry date {value} is in the past", field="expires")
    return expires_at


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidRequest("Token name must not be empty", field="name")
    if len(name) > 200:
        raise InvalidRequest("Token name must be at most 200 characters", field="name")
    return name


def create_token(
    session: Session, owner: Principal, name: str, expires: str = "90d"
) -> IssuedToken:
    name = _clean_name(name)
    now = utcnow()
    secret = secrets.generate_secret()
    token = AccessToken(
        tenant_id=owner.tenant_id,
        user_id=owner.user_id,
        name=name,
        secret_hash=secrets.hash_secret(secret),
        hint=secrets.hint(secret),
        created_at=now,
        expires_at=parse_expiry(expires, now),
    )
    return IssuedToken(repository.add(session, token), secret)


def list_tokens(session: Session, owner: Principal) -> list[AccessToken]:
    return repository.list_for_user(session, owner.tenant_id, owner.user_id)


def get_token(session: Session, owner: Principal, token_id: uuid.UUID) -> AccessToken:
    """One of the owner's tokens; anyone else's is simply not found."""
    token = repository.get_for_user(session, owner.tenant_id, owner.user_id, token_id)
    if token is None:
        raise NotFound(f"Token {token_id} not found", field="token_id")
    return token


def update_token(
    session: Session,
    owner: Principal,
    token_id: uuid.UUID,
    *,
    name: str | None = None,
    expires: str | None = None,
) -> AccessToken:
    """Rename one of the owner's tokens or give it a new expiry, counted from now. A revoked
    token cannot be changed: revocation is final."""
    token = get_token(session, owner, token_id)
    if token.revoked_at is not None:
        raise Conflict(
            f"Token {token_id} has been revoked and cannot be changed; create a new one",
            field="token_id",
        )
    if name is not None:
        token.name = _clean_name(name)
    if expires is not None:
        token.expires_at = parse_expiry(expires, utcnow())
    session.flush()
    principals.forget_after_commit(session)
    return token


def revoke_token(session: Session, owner: Principal, token_id: uuid.UUID) -> AccessToken:
    """Revoke one of the owner's tokens. Revoking twice keeps the first revocation time."""
    token = get_token(session, owner, token_id)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
        principals.forget_after_commit(session)
    return token


def unusable_because(*, revoked: bool, expires_at: datetime | None, active: bool) -> str | None:
    """Why a token that was found does not authenticate, in the documented order and words
    (revoked, expired, then the user deactivated), or None when it does."""
    if revoked:
        return "Token has been revoked"
    if expires_at is not None and expires_at <= utcnow():
        return "Token has expired"
    if not active:
        return "User is deactivated"
    return None


def check_usable(*, revoked: bool, expires_at: datetime | None, active: bool) -> None:
    """The 401s every kind of token gives once it is found."""
    reason = unusable_because(revoked=revoked, expires_at=expires_at, active=active)
    if reason is not None:
        raise AuthenticationFailed(reason)


def is_live(token: AccessToken) -> bool:
    """Whether the token works now: not revoked, not expired (its user's state aside)."""
    revoked = token.revoked_at is not None
    return unusable_because(revoked=revoked, expires_at=token.expires_at, active=True) is None


def authenticate(session: Session, secret: str) -> Principal:
    """The principal a secret acts as, checked on every call so revocation and
    deactivation take effect at once."""
    if not secrets.is_well_formed(secret):
        raise AuthenticationFailed("Invalid token")
    found = repository.find_credentials(session, secrets.hash_secret(secret))
    if found is None:
        raise AuthenticationFailed("Invalid token")
    check_usable(
        revoked=found.revoked_at is not None, expires_at=found.expires_at, active=found.active
    )
    return Principal(
        tenant_id=found.tenant_id,
        user_id=found.user_id,
        email=found.email,
        name=found.name,
        role=found.role,
        token_id=found.token_id,
        expires_at=found.expires_at,
    )
