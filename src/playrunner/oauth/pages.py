"""The login and consent page: plain HTML from autoescaped Jinja templates, protected against
cross-site request forgery with a double-submit cookie and against framing."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import parse_qsl

from jinja2 import Environment, PackageLoader
from starlette.requests import Request
from starlette.responses import HTMLResponse

from playrunner.auth import scopes as catalogue
from playrunner.oauth.server import AUTHORIZE_PATH, Consent

CSRF_COOKIE = "playrunner_oauth_csrf"
CSRF_FIELD = "csrf_token"
# Fields of the page's own form; everything else in it is the app's authorization request.
PAGE_FIELDS = frozenset({CSRF_FIELD, "email", "password", "decision"})
MAX_FIELDS = 100

# One environment for the process, as Jinja recommends; autoescape on for every template.
_ENVIRONMENT = Environment(
    loader=PackageLoader("playrunner.oauth", "templates"), autoescape=True, auto_reload=False
)

_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # No form-action: the answer to the form redirects to the app, which it would block.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"
    ),
}


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_matches(request: Request, submitted: str | None) -> bool:
    """The form's token equals the cookie set with the page (another site can send the form,
    but can neither read nor set the cookie)."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not submitted:
        return False
    return hmac.compare_digest(cookie.encode(), submitted.encode())


def parse_form(body: bytes) -> list[tuple[str, str]] | None:
    """An ``application/x-www-form-urlencoded`` body, or None when it is not one (not UTF-8,
    too many fields, or a NUL character, which nothing here may hold)."""
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            max_num_fields=MAX_FIELDS,
            errors="strict",
        )
    except (UnicodeDecodeError, ValueError):
        return None
    if any("\x00" in name or "\x00" in value for name, value in pairs):
        return None
    return pairs


def consent_page(
    request: Request,
    consent: Consent,
    params: list[tuple[str, str]],
    csrf_token: str,
    *,
    error: str | None = None,
    email: str = "",
    status: int = 200,
) -> HTMLResponse:
    html = _ENVIRONMENT.get_template("authorize.html").render(
        app_name=consent.app_name,
        scopes=[{"name": name, "label": catalogue.label(name)} for name in consent.scopes],
        params=[(name, value) for name, value in params if name not in PAGE_FIELDS],
        csrf_token=csrf_token,
        action=AUTHORIZE_PATH,
        error=error,
        email=email,
    )
    response = HTMLResponse(html, status, headers=_HEADERS)
    response.set_cookie(
        CSRF_COOKIE,
        csrf_token,
        path=AUTHORIZE_PATH,
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )
    return response


def error_page(message: str, status: int = 400) -> HTMLResponse:
    html = _ENVIRONMENT.get_template("error.html").render(message=message)
    return HTMLResponse(html, status, headers=_HEADERS)
