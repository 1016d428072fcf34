"""Cross-site request forgery: a form is accepted only with a token another site cannot
know. Signed-in pages derive theirs from the session; pages before sign-in (the sign-in
form, the OAuth consent page) use a double-submit cookie: the token is in a cookie set with
the page and in the form, and another site can neither read nor set that cookie."""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

CSRF_FIELD = "csrf_token"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(expected: str | None, submitted: str | None) -> bool:
    """Both present and equal, compared in constant time."""
    if not expected or not submitted:
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode())


def cookie_matches(request: Request, cookie: str, submitted: str | None) -> bool:
    """The form's token equals the double-submit cookie set with the page."""
    return same_token(request.cookies.get(cookie), submitted)


def set_cookie(response: Response, request: Request, cookie: str, token: str, path: str) -> None:
    """The double-submit cookie: HttpOnly (the page has the token in its form already),
    SameSite=Strict, Secure when served over HTTPS."""
    response.set_cookie(
        cookie,
        token,
        path=path,
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )
