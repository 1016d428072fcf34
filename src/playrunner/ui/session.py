"""Who is signed in, for pages: the session cookie, the dependencies that require a user or
an admin, and the CSRF token of signed-in forms.

The cookie is HttpOnly, SameSite=Lax (so a link from an email opens the page signed in, while
another site's forms and scripts cannot use it) and Secure when served over HTTPS. A form of a
signed-in page carries a token derived from the session's secret (HMAC), which another site
cannot compute; it is checked on every POST.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated

from fastapi import Depends, Request
from starlette.responses import Response

from playrunner.api.dependencies import DatabaseDep
from playrunner.auth.principal import Principal
from playrunner.errors import PermissionDenied
from playrunner.sessions import service as sessions_service
from playrunner.sessions.service import SESSION_LIFETIME
from playrunner.ui import csrf
from playrunner.ui.errors import CsrfRefused, FormUnreadable, SignInRequired
from playrunner.ui.forms import parse_form
from playrunner.ui.pages import CSRF, USER

SESSION_COOKIE = "playrunner_session"
MAX_FORM_BYTES = 1024 * 1024


def set_session_cookie(response: Response, request: Request, secret: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=request.url.scheme == "https", httponly=True
    )


def session_csrf_token(secret: str) -> str:
    return hmac.new(secret.encode(), b"playrunner csrf", hashlib.sha256).hexdigest()


async def signed_in_user(request: Request, db: DatabaseDep) -> Principal | None:
    """The signed-in user, or None; remembered on the request for the page's layout."""
    secret = request.cookies.get(SESSION_COOKIE)
    user = await db.read(lambda s: sessions_service.signed_in(s, secret))
    if user is not None and secret is not None:
        state = request.scope.setdefault("state", {})
        state[USER] = user
        state[CSRF] = session_csrf_token(secret)
    return user


async def current_user(
    request: Request, user: Annotated[Principal | None, Depends(signed_in_user)]
) -> Principal:
    """Pages for signed-in people: anyone else is sent to sign in, and back here after."""
    if user is None:
        query = f"?{request.url.query}" if request.url.query else ""
        raise SignInRequired(request.url.path + query)
    return user


async def current_admin(user: Annotated[Principal, Depends(current_user)]) -> Principal:
    """Pages for the service's admins; anyone else gets a 403 page saying so."""
    if not user.is_admin:
        raise PermissionDenied("This page is for the service's admins.")
    return user


MaybeUser = Annotated[Principal | None, Depends(signed_in_user)]
CurrentUser = Annotated[Principal, Depends(current_user)]
CurrentAdmin = Annotated[Principal, Depends(current_admin)]


class Form:
    """A posted form whose CSRF token was checked: its fields by name."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs

    def get(self, name: str, default: str = "") -> str:
        for key, value in self.pairs:
            if key == name:
                return value
        return default

    def get_all(self, name: str) -> list[str]:
        return [value for key, value in self.pairs if key == name]

    def as_dict(self) -> dict[str, str]:
        return dict(self.pairs)


async def read_form(request: Request) -> list[tuple[str, str]]:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise FormUnreadable("The form is too large.")
    pairs = parse_form(body, max_fields=1000)
    if pairs is None:
        raise FormUnreadable("The form could not be read.")
    return pairs


async def posted_form(request: Request, user: Annotated[Principal, Depends(current_user)]) -> Form:
    """The form of a signed-in page, refused unless it carries this session's CSRF token."""
    form = Form(await read_form(request))
    expected = request.scope.get("state", {}).get(CSRF)
    if not csrf.same_token(expected, form.get(csrf.CSRF_FIELD)):
        raise CsrfRefused()
    return form


PostedForm = Annotated[Form, Depends(posted_form)]
