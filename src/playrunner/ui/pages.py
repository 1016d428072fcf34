"""Answering with a page: the template rendered with what every page shows (who is signed
in, the CSRF token its forms carry), and the headers every page has."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from playrunner.api.state import app_state
from playrunner.ui.templates import ENVIRONMENT

# No script, style, font or image from anywhere but Playrunner itself; no framing; forms post
# only back here.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

USER = "playrunner_user"
CSRF = "playrunner_csrf"


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    state = request.scope.get("state", {})
    html = ENVIRONMENT.get_template(template).render(
        request=request,
        path=request.url.path,
        user=state.get(USER),
        csrf_token=state.get(CSRF, ""),
        **(context or {}),
    )
    return HTMLResponse(html, status, headers=SECURITY_HEADERS)


def redirect(url: str) -> RedirectResponse:
    """After a form: see the result at ``url`` (303, so a reload does not post again)."""
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def public_base_url(request: Request) -> str:
    """Where integrators and invited people reach this server (``Settings.base_url``)."""
    return app_state(request).settings.base_url


def safe_next(value: str | None, default: str = "/") -> str:
    """Where to go after signing in: a path on this server, never another site."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return default
    if any(ch in value for ch in "\r\n\x00"):
        return default
    return value
