"""OAuth applications: registration by admins, and the records the protocol keeps (codes and
tokens, stored as hashes), and authenticating an application's access token on each call.

The protocol itself (grants, client authentication, PKCE, revocation) is Authlib's, wired up
in ``oauth/server.py``; it calls the functions here to read and write.
"""

from __future__ import annotations

import hmac
import ipaddress
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from playrunner.auth import principals
from playrunner.auth import scopes as catalogue
from playrunner.auth.principal import Principal
from playrunner.clock import utcnow
from playrunner.errors import AuthenticationFailed, InvalidRequest, NotFound
from playrunner.models import GrantType, OAuthApp, OAuthAuthorizationCode, OAuthToken
from playrunner.oauth import repository
from playrunner.oauth.schemas import AppCreate, AppPatch, AppRead
from playrunner.tokens import secrets
from playrunner.tokens import service as tokens_service
from playrunner.users import service as users_service

CLIENT_ID_PREFIX = "prapp_"
CLIENT_SECRET_PREFIX = "prcs_"
ACCESS_TOKEN_PREFIX = "proat_"
REFRESH_TOKEN_PREFIX = "prort_"
CODE_PREFIX = "prac_"

CODE_LIFETIME = timedelta(minutes=10)  # RFC 6749 4.1.2 recommends at most ten minutes
REFRESH_TOKEN_LIFETIME = timedelta(days=30)
# Expired codes and tokens are kept this long (so a late caller hears "expired"), then purged.
KEEP_EXPIRED = timedelta(days=1)


@dataclass(frozen=True)
class IssuedApp:
    """An app with its fresh secret. ``secret`` exists only here: it is never stored."""

    app: AppRead
    secret: str


# Registration


def create_app(session: Session, tenant_id: str, spec: AppCreate) -> IssuedApp:
    """Register an app; its client secret is returned once."""
    name = _clean_name(spec.name)
    scope_names = _clean_scopes(spec.scopes)
    redirect_uris = _clean_redirect_uris(spec.redirect_uris)
    grants = _clean_grants(spec.grant_types)
    acting_user_id = _acting_user_id(session, tenant_id, spec.acting_user)
    _check_consistency(grants, redirect_uris, acting_user_id)
    secret = secrets.generate_secret(CLIENT_SECRET_PREFIX)
    now = utcnow()
    app = OAuthApp(
        tenant_id=tenant_id,
        name=name,
        client_id=secrets.generate_secret(CLIENT_ID_PREFIX),
        secret_hash=secrets.hash_secret(secret),
        secret_hint=secrets.hint(secret, CLIENT_SECRET_PREFIX),
        grant_types=[g.value for g in grants],
        scopes=scope_names,
        redirect_uris=redirect_uris,
        acting_user_id=acting_user_id,
        access_token_lifetime=spec.access_token_lifetime,
        created_at=now,
        updated_at=now,
    )
    repository.add(session, app)
    return IssuedApp(read_app(session, app), secret)


def page_apps(
    session: Session, tenant_id: str, *, limit: int, offset: int
) -> tuple[list[AppRead], int]:
    apps, total = repository.find_apps_page(session, tenant_id, limit, offset)
    emails = repository.emails_of(
        session, tenant_id, (a.acting_user_id for a in apps if a.acting_user_id is not None)
    )
    return [_read(app, emails) for app in apps], total


def get_app(session: Session, tenant_id: str, app_id: uuid.UUID) -> OAuthApp:
    app = repository.get_app(session, tenant_id, app_id)
    if app is None:
        raise NotFound(f"OAuth application {app_id} not found", field="app_id")
    return app


def find_app(session: Session, tenant_id: str, reference: str) -> OAuthApp:
    """An app by its id or its client id (for the CLI)."""
    try:
        app_id = uuid.UUID(reference)
    except ValueError:
        app = find_client(session, reference.strip())
        if app is None or app.tenant_id != tenant_id:
            raise NotFound(f"OAuth application {reference} not found", field="app") from None
        return app
    return get_app(session, tenant_id, app_id)


def read_app(session: Session, app: OAuthApp) -> AppRead:
    ids = [app.acting_user_id] if app.acting_user_id is not None else []
    return _read(app, repository.emails_of(session, app.tenant_id, ids))


def update_app(session: Session, tenant_id: str, app_id: uuid.UUID, patch: AppPatch) -> AppRead:
    """Change an app; tokens that the change makes wrong are revoked in the same transaction."""
    app = get_app(session, tenant_id, app_id)
    given = patch.model_fields_set
    name = _clean_name(patch.name) if patch.name is not None else app.name
    scope_names = _clean_scopes(patch.scopes) if patch.scopes is not None else app.scopes
    grants = _clean_grants(patch.grant_types) if patch.grant_types is not None else None
    final_grants = grants if grants is not None else [GrantType(g) for g in app.grant_types]
    acting_user_id = (
        _acting_user_id(session, tenant_id, patch.acting_user)
        if "acting_user" in given
        else app.acting_user_id
    )
    redirect_uris = (
        _clean_redirect_uris(patch.redirect_uris)
        if patch.redirect_uris is not None
        else app.redirect_uris
    )
    _check_consistency(final_grants, redirect_uris, acting_user_id)
    now = utcnow()
    dropped = {GrantType(g) for g in app.grant_types} - set(final_grants)
    # A refresh token descends from an authorization code grant, so it is stored as one.
    revoked = {g for g in dropped if g is not GrantType.REFRESH_TOKEN}
    if acting_user_id != app.acting_user_id:
        revoked.add(GrantType.CLIENT_CREDENTIALS)
    if revoked:
        _revoke_tokens(session, app.id, now, grant_types=revoked)
    app.name = name
    app.scopes = scope_names
    if patch.access_token_lifetime is not None:
        app.access_token_lifetime = patch.access_token_lifetime
    app.grant_types = [g.value for g in final_grants]
    app.redirect_uris = redirect_uris
    app.acting_user_id = acting_user_id
    app.updated_at = now
    session.flush()
    principals.forget_after_commit(session)  # its tokens' scopes may have changed
    return read_app(session, app)


def rotate_secret(session: Session, tenant_id: str, app_id: uuid.UUID) -> IssuedApp:
    """A new client secret, returned once; the old one stops working at once. Tokens already
    issued keep working until they expire or are revoked."""
    app = get_app(session, tenant_id, app_id)
    secret = secrets.generate_secret(CLIENT_SECRET_PREFIX)
    app.secret_hash = secrets.hash_secret(secret)
    app.secret_hint = secrets.hint(secret, CLIENT_SECRET_PREFIX)
    app.updated_at = utcnow()
    session.flush()
    return IssuedApp(read_app(session, app), secret)


def delete_app(session: Session, tenant_id: str, app_id: uuid.UUID) -> None:
    """Delete an app: every token it holds is revoked and its pending codes dropped."""
    app = get_app(session, tenant_id, app_id)
    now = utcnow()
    _revoke_tokens(session, app.id, now)
    repository.delete_unused_codes(session, app.id)
    app.deleted_at = now
    session.flush()


def _read(app: OAuthApp, emails: dict[uuid.UUID, str]) -> AppRead:
    return AppRead(
        id=app.id,
        name=app.name,
        client_id=app.client_id,
        secret_hint=app.secret_hint,
        grant_types=[GrantType(g) for g in app.grant_types],
        scopes=list(app.scopes),
        redirect_uris=list(app.redirect_uris),
        acting_user=emails.get(app.acting_user_id) if app.acting_user_id is not None else None,
        access_token_lifetime=app.access_token_lifetime,
        created_at=app.created_at,
        updated_at=app.updated_at,
    )


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidRequest("Application name must not be empty", field="name")
    return name


def _clean_grants(grants: list[GrantType]) -> list[GrantType]:
    return sorted(set(grants), key=list(GrantType).index)


def _clean_scopes(names: list[str]) -> list[str]:
    cleaned = {name.strip() for name in names}
    unknown = catalogue.unknown(cleaned)
    if unknown:
        raise InvalidRequest(
            f"Unknown scope {', '.join(unknown)}; GET /api/v1/oauth/scopes lists them",
            field="scopes",
        )
    return sorted(cleaned)


def _clean_redirect_uris(uris: list[str]) -> list[str]:
    cleaned: list[str] = []
    for given in uris:
        uri = given.strip()
        _check_redirect_uri(uri)
        if uri not in cleaned:
            cleaned.append(uri)
    return cleaned


def _check_redirect_uri(uri: str) -> None:
    """RFC 6749 3.1.2: absolute, no fragment; https, or http on this machine (RFC 8252 7.3)."""
    not_absolute = InvalidRequest(
        f"Redirect URI {uri!r} must be an absolute https URL", field="redirect_uris"
    )
    try:
        parts = urlsplit(uri)
        host = parts.hostname
    except ValueError:
        raise not_absolute from None
    if parts.scheme not in ("https", "http") or not host:
        raise not_absolute
    if parts.fragment or "#" in uri:
        raise InvalidRequest(
            f"Redirect URI {uri!r} must not have a fragment", field="redirect_uris"
        )
    if parts.scheme == "http" and not _is_loopback(host):
        raise InvalidRequest(
            f"Redirect URI {uri!r} must use https (http only for localhost and loopback addresses)",
            field="redirect_uris",
        )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _acting_user_id(session: Session, tenant_id: str, email: str | None) -> uuid.UUID | None:
    if email is None:
        return None
    user = users_service.find_by_email(session, tenant_id, email)
    if user is None:
        raise NotFound(f"User {email} not found", field="acting_user")
    if not user.active:
        raise InvalidRequest(f"User {user.email} is deactivated", field="acting_user")
    return user.id


def _check_consistency(
    grants: list[GrantType], redirect_uris: list[str], acting_user_id: uuid.UUID | None
) -> None:
    if GrantType.CLIENT_CREDENTIALS in grants and acting_user_id is None:
        raise InvalidRequest(
            "The client_credentials grant needs acting_user: the user the app acts as",
            field="acting_user",
        )
    if GrantType.AUTHORIZATION_CODE in grants and not redirect_uris:
        raise InvalidRequest(
            "The authorization_code grant needs at least one redirect URI", field="redirect_uris"
        )
    if GrantType.REFRESH_TOKEN in grants and GrantType.AUTHORIZATION_CODE not in grants:
        raise InvalidRequest(
            "The refresh_token grant is only given with authorization_code", field="grant_types"
        )


# The protocol's records (used by oauth/server.py)


def find_client(session: Session, client_id: str) -> OAuthApp | None:
    if not client_id or len(client_id) > 64 or "\x00" in client_id:
        return None
    return repository.get_app_by_client_id(session, client_id)


def check_client_secret(app: OAuthApp, secret: str) -> bool:
    return hmac.compare_digest(app.secret_hash, secrets.hash_secret(secret))


def save_code(
    session: Session,
    app: OAuthApp,
    user_id: uuid.UUID,
    code: str,
    *,
    redirect_uri: str | None,
    scope_names: list[str],
    code_challenge: str,
    code_challenge_method: str,
) -> None:
    now = utcnow()
    repository.delete_codes_expired_before(session, app.id, now - KEEP_EXPIRED)
    repository.add(
        session,
        OAuthAuthorizationCode(
            tenant_id=app.tenant_id,
            app_id=app.id,
            user_id=user_id,
            code_hash=secrets.hash_secret(code),
            redirect_uri=redirect_uri,
            scopes=sorted(scope_names),
            code_challenge=code_challenge,
            code_challenge_method=code_challenge_method,
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        ),
    )


def redeemable_code(session: Session, app: OAuthApp, code: str) -> OAuthAuthorizationCode | None:
    """The app's unexpired, unused code. A code used a second time revokes every token issued
    from it (RFC 6749 4.1.2): someone other than the app may hold it."""
    if "\x00" in code:
        return None
    found = repository.get_code(session, app.id, secrets.hash_secret(code))
    if found is None:
        return None
    now = utcnow()
    if found.used_at is not None:
        _revoke_tokens(session, app.id, now, authorization_code_id=found.id)
        return None
    return found if found.expires_at > now else None


def mark_code_used(session: Session, code: OAuthAuthorizationCode) -> None:
    code.used_at = utcnow()
    session.flush()


def save_token(
    session: Session,
    app: OAuthApp,
    *,
    user_id: uuid.UUID,
    grant_type: GrantType,
    scope_names: list[str],
    access_token: str,
    refresh_token: str | None,
    expires_in: int,
    authorization_code_id: uuid.UUID | None,
) -> None:
    now = utcnow()
    repository.delete_tokens_expired_before(session, app.id, now - KEEP_EXPIRED)
    repository.add(
        session,
        OAuthToken(
            tenant_id=app.tenant_id,
            app_id=app.id,
            user_id=user_id,
            grant_type=grant_type,
            authorization_code_id=authorization_code_id,
            scopes=sorted(scope_names),
            access_token_hash=secrets.hash_secret(access_token),
            refresh_token_hash=secrets.hash_secret(refresh_token) if refresh_token else None,
            created_at=now,
            expires_at=now + timedelta(seconds=expires_in),
            refresh_expires_at=now + REFRESH_TOKEN_LIFETIME if refresh_token else None,
        ),
    )


def usable_refresh_token(session: Session, refresh_token: str) -> OAuthToken | None:
    """The live token a refresh token belongs to. A revoked refresh token presented again
    revokes every token descended from the same authorization (RFC 9700 4.14.2)."""
    if not secrets.is_well_formed(refresh_token, REFRESH_TOKEN_PREFIX):
        return None
    found = repository.get_token_by_refresh_hash(session, secrets.hash_secret(refresh_token))
    if found is None:
        return None
    now = utcnow()
    if found.revoked_at is not None:
        if found.authorization_code_id is not None:
            _revoke_tokens(
                session, found.app_id, now, authorization_code_id=found.authorization_code_id
            )
        return None
    if found.refresh_expires_at is None or found.refresh_expires_at <= now:
        return None
    return found


def find_token(session: Session, token: str, hint: str | None) -> OAuthToken | None:
    """A token by its access or refresh secret, for revocation."""
    lookups = [
        (ACCESS_TOKEN_PREFIX, repository.get_token_by_access_hash),
        (REFRESH_TOKEN_PREFIX, repository.get_token_by_refresh_hash),
    ]
    if hint == "refresh_token":
        lookups.reverse()
    for prefix, lookup in lookups:
        if secrets.is_well_formed(token, prefix):
            found = lookup(session, secrets.hash_secret(token))
            if found is not None:
                return found
    return None


def revoke_token(session: Session, token: OAuthToken) -> None:
    """Revoke an access token and its refresh token together; again changes nothing."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
        principals.forget_after_commit(session)


def _revoke_tokens(
    session: Session,
    app_id: uuid.UUID,
    now: datetime,
    *,
    grant_types: Iterable[GrantType] | None = None,
    authorization_code_id: uuid.UUID | None = None,
) -> None:
    """Revoke the app's tokens (all, those of some grant types, or those descended from one
    authorization code), and have this process forget their principals."""
    repository.revoke_tokens(
        session,
        app_id,
        now,
        grant_types=grant_types,
        authorization_code_id=authorization_code_id,
    )
    principals.forget_after_commit(session)


# Authentication of calls


def is_access_token(secret: str) -> bool:
    return secret.startswith(ACCESS_TOKEN_PREFIX)


def authenticate_access_token(session: Session, secret: str) -> Principal:
    """The principal an application's access token acts as, checked on every call so that
    revocation, expiry, deactivation, demotion and scope changes take effect at once."""
    if not secrets.is_well_formed(secret, ACCESS_TOKEN_PREFIX):
        raise AuthenticationFailed("Invalid token")
    found = repository.find_access_credentials(session, secrets.hash_secret(secret))
    if found is None:
        raise AuthenticationFailed("Invalid token")
    tokens_service.check_usable(
        revoked=found.revoked_at is not None or found.app_deleted_at is not None,
        expires_at=found.expires_at,
        active=found.active,
    )
    return Principal(
        tenant_id=found.tenant_id,
        user_id=found.user_id,
        email=found.email,
        name=found.name,
        role=found.role,
        app_id=found.app_id,
        scopes=frozenset(found.token_scopes) & frozenset(found.app_scopes),
        expires_at=found.expires_at,
    )
