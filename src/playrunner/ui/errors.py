"""Failures on pages: an HTML page that says what happened and what to do, never a JSON
document or a trace; signing in first when a page needs it; and a service's refusal turned
into messages beside the fields of the form that caused it."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from playrunner.errors import PermissionDenied, PlayrunnerError
from playrunner.ui.pages import render


class SignInRequired(Exception):
    """The page needs a signed-in user; after signing in, the browser comes back to ``next``."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class CsrfRefused(PermissionDenied):
    def __init__(self) -> None:
        super().__init__(
            "This form has expired or was not sent from this Playrunner page. Go back, reload"
            " the page and try again."
        )


class FormUnreadable(PlayrunnerError):
    status_code = 400
    code = "invalid_request"
    title = "Invalid request"


TITLES = {
    400: "This request cannot be done",
    403: "You cannot open this page",
    404: "Page not found",
    405: "This page cannot do that",
    409: "This has changed",
    413: "Too large",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Playrunner is busy",
}


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return render(
        request,
        "ui/error.html",
        {"status": status, "title": TITLES.get(status, "Something went wrong"), "message": message},
        status=status,
    )


def render_error_page(request: Request, exc: PlayrunnerError) -> HTMLResponse:
    response = error_page(request, exc.status_code, exc.message)
    for name, value in exc.headers.items():
        response.headers[name] = value
    return response


def sign_in_redirect(exc: SignInRequired) -> RedirectResponse:
    return RedirectResponse(
        f"/sign-in?next={quote(exc.next_url, safe='/')}",
        status_code=303,
        headers={"Cache-Control": "no-store"},
    )


def field_messages(exc: PlayrunnerError, prefix: str = "") -> dict[str, str]:
    """A refusal as ``{field: message}`` for the form that caused it (``prefix`` drops a
    leading part of the field names, e.g. ``answers.``). A message without a field is
    under ``""``."""
    problems = exc.errors or [{"field": exc.field or "", "message": exc.message}]
    messages: dict[str, str] = {}
    for problem in problems:
        field = problem.get("field") or ""
        if prefix and field.startswith(prefix):
            field = field[len(prefix) :]
        messages.setdefault(field, problem["message"])
    return messages


def refusal_status(exc: PlayrunnerError) -> int:
    """The status of a form shown again with a refusal: 409 when the input clashes with
    what exists, 403 when the person may not, else 400 (a name in the form that matches
    nothing is bad input, not a missing page)."""
    return exc.status_code if exc.status_code in (403, 409) else 400


def unexpected_error_page(request_id: str) -> bytes:
    """The page for a fault of Playrunner's: plain, so nothing on it can fail in turn."""
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<title>Something went wrong · Playrunner</title>"
        '<link rel="stylesheet" href="/static/ui/app.css"></head><body><main><div class=narrow>'
        "<p class=eyebrow>Error 500</p><h1>Something went wrong</h1>"
        "<p class=lead>The page failed inside Playrunner; nothing was changed.</p>"
        f"<p>If it happens again, tell your admin this reference: <code>{request_id}</code>.</p>"
        '<p><a class="button secondary" href="/my-work">Go to my work</a></p>'
        "</div></main></body></html>"
    ).encode()
