"""FastAPI dependencies that turn a request's token into a Principal.

Order, as the trigger API documents it: a valid token (401), then the rate limit (429),
then the role (403). Every authenticated call is counted, including ones that fail later.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from playrunner.auth.principal import Principal, require_service_admin
from playrunner.errors import AuthenticationFailed, RateLimitExceeded
from playrunner.tokens import service as tokens_service
from playrunner.web.state import app_state


def presented_secret(request: Request) -> str:
    """The token from ``app-token`` (Totango's header) or ``Authorization: Bearer``."""
    secret = (request.headers.get("app-token") or "").strip() or None
    if secret is None:
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            secret = credentials
    if secret is None or not secret.strip():
        raise AuthenticationFailed("Missing token: send your access token in the app-token header")
    return secret.strip()


async def authenticate(request: Request) -> Principal:
    state = app_state(request)
    secret = presented_secret(request)
    principal = await state.database.read(
        lambda session: tokens_service.authenticate(session, secret)
    )
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
