"""The login and consent page: plain HTML from autoescaped Jinja templates, protected against
cross-site request forgery with a double-submit cookie (``ui/csrf.py``) and against framing."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader
from starlette.requests import Request
from starlette.responses import HTMLResponse

from playrunner.auth import scopes as catalogue
from playrunner.oauth.server import AUTHORIZE_PATH, Consent
from playrunner.ui import csrf

CSRF_COOKIE = "playrunner_oauth_csrf"
# Fields of the page's own form; everything else in it is the app's authorization request.
PAGE_FIELDS = frozenset({csrf.CSRF_FIELD, "email", "password", "decision"})

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
    csrf.set_cookie(response, request, CSRF_COOKIE, csrf_token, AUTHORIZE_PATH)
    return response


def error_page(message: str, status: int = 400) -> HTMLResponse:
    html = _ENVIRONMENT.get_template("error.html").render(message=message)
    return HTMLResponse(html, status, headers=_HEADERS)
