"""FastAPI dependencies that turn a request's token into a Principal.

Order, as the trigger API documents it: a valid token (401), then the rate limit (429),
then, for an OAuth application's token, the scope (403), then the role (403). Every
authenticated call is counted, including ones that fail later.

Scopes fail closed: a route declares what an application's token needs with
``require_scope`` (or ``PERSONAL_TOKENS_ONLY``); an application's token calling a route that
declares nothing is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy.orm import Session
from starlette.routing import BaseRoute

from playrunner import turn_reads
from playrunner.api.state import app_state
from playrunner.auth import principals, scopes
from playrunner.auth.principal import Principal, require_service_admin
from playrunner.errors import AuthenticationFailed, PermissionDenied, RateLimitExceeded
from playrunner.oauth import service as oauth_service
from playrunner.tokens import service as tokens_service

APP_TOKENS_REFUSED = "OAuth application tokens cannot call this API; use a personal access token"


# How a caller presents a token, as OpenAPI security schemes: FastAPI reads the headers and
# declares the schemes on every operation that authenticates (auth/openapi.py adds OAuth 2.0
# and the scopes). With auto_error off, a missing token is ours to refuse, in our words.
APP_TOKEN = APIKeyHeader(
    name="app-token",
    scheme_name="app-token",
    description="A personal access token (prpat_...) or an OAuth access token (proat_...)"
    " in Totango's app-token header.",
    auto_error=False,
)
BEARER = HTTPBearer(
    scheme_name="bearer",
    description="The same tokens as app-token, as Authorization: Bearer <token>.",
    auto_error=False,
)


def presented_secret(app_token: str | None, bearer: HTTPAuthorizationCredentials | None) -> str:
    """The token from ``app-token`` (Totango's header) or ``Authorization: Bearer``."""
    secret = (app_token or "").strip() or (bearer.credentials.strip() if bearer else "")
    if not secret:
        raise AuthenticationFailed("Missing token: send your access token in the app-token header")
    return secret


def principal_for_secret(session: Session, secret: str) -> Principal:
    """A personal access token or an OAuth access token, told apart by their prefixes."""
    if oauth_service.is_access_token(secret):
        return oauth_service.authenticate_access_token(session, secret)
    return tokens_service.authenticate(session, secret)


async def authenticate(
    request: Request,
    app_token: Annotated[str | None, Security(APP_TOKEN)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)],
) -> Principal:
    """Who calls, from their token; counts the call against their rate limit."""
    principal = await counted_principal(request, presented_secret(app_token, bearer))
    if principal.is_app and not access_requirements(request.scope.get("route")):
        raise PermissionDenied(APP_TOKENS_REFUSED)
    return principal


def secret_from_headers(headers: Mapping[str, str]) -> str:
    """The token as ``authenticate`` reads it (FastAPI's APIKeyHeader and HTTPBearer, as
    declared above), for a plain route that asks FastAPI for nothing."""
    authorization = headers.get("authorization")
    scheme, credentials = get_authorization_scheme_param(authorization)
    bearer = None
    if authorization and scheme and credentials and scheme.lower() == "bearer":
        bearer = HTTPAuthorizationCredentials(scheme=scheme, credentials=credentials)
    return presented_secret(headers.get("app-token"), bearer)


async def counted_principal(request: Request, secret: str) -> Principal:
    """The principal a token acts as (401 otherwise), its call counted against its rate limit
    (429 past it): the first two checks of every authenticated call."""
    state = app_state(request)
    database = state.settings.database_url
    principal = principals.kept(database, secret)
    if principal is None:
        # With the other calls' lookups of this turn (on PostgreSQL one unit of work for all).
        principal = await turn_reads.read(state.database, lambda s: principal_for_secret(s, secret))
        principals.keep(database, secret, principal)
    decision = await state.rate_limiter.hit(principal.caller)
    request.state.ratelimit_headers = decision.headers()
    if not decision.allowed:
        raise RateLimitExceeded(max(1, decision.reset_after))
    return principal


async def authenticate_admin(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
    require_service_admin(principal)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]
AdminPrincipal = Annotated[Principal, Depends(authenticate_admin)]


class AccessRequirement:
    """What an OAuth application's token needs to call a route: ``scope``, or, when ``scope``
    is None, nothing will do (personal access tokens only). Personal tokens always pass."""

    def __init__(self, scope: str | None) -> None:
        if scope is not None and not scopes.is_known(scope):
            raise ValueError(f"scope {scope!r} is not in the catalogue (auth/scopes.py)")
        self.scope = scope

    async def __call__(self, principal: CurrentPrincipal) -> Principal:
        if not principal.is_app:
            return principal
        if self.scope is None:
            raise PermissionDenied(APP_TOKENS_REFUSED)
        if not principal.has_scope(self.scope):
            denied = PermissionDenied(
                f"The application's token lacks the scope {self.scope} ({scopes.label(self.scope)})"
            )
            # RFC 6750 3.1: tell the client which scope to ask for.
            denied.headers["WWW-Authenticate"] = (
                f'Bearer realm="playrunner", error="insufficient_scope", scope="{self.scope}"'
            )
            raise denied
        return principal


def require_scope(scope: str) -> Any:
    """Declare the scope an application's token needs for a route:
    ``dependencies=[require_scope("accounts:write")]``."""
    return Depends(AccessRequirement(scope))


PERSONAL_TOKENS_ONLY: Any = Depends(AccessRequirement(None))
"""For routes no application may call (managing tokens and applications: a token made there
would escape the application's scopes)."""

TRIGGER_REQUIREMENT = AccessRequirement(scopes.TRIGGER_MANUAL)
TRIGGER_SCOPE: Any = Depends(TRIGGER_REQUIREMENT)
"""The trigger API's scope, "SuccessPlays: Trigger manual SuccessPlays"."""


def access_requirements(route: object) -> list[AccessRequirement]:
    """Every AccessRequirement a route declares (on itself or its router)."""
    dependant = getattr(route, "dependant", None)
    stack: list[Dependant] = [dependant] if isinstance(dependant, Dependant) else []
    found: list[AccessRequirement] = []
    while stack:
        current = stack.pop()
        if isinstance(current.call, AccessRequirement):
            found.append(current.call)
        stack.extend(current.dependencies)
    return found


def operations_by_scope(routes: Sequence[BaseRoute]) -> dict[str, list[str]]:
    """``METHOD /path`` of every route that declares each scope, for the scope catalogue."""
    found: dict[str, list[str]] = {}
    for context in iter_route_contexts(routes):
        methods = sorted(context.methods or ())
        for requirement in access_requirements(context.original_route):
            if requirement.scope is not None:
                operations = found.setdefault(requirement.scope, [])
                operations.extend(f"{method} {context.path}" for method in methods)
    return found
