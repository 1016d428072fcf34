"""Signing in to the web app, and out. The rules (limits, the password check, active users
only) are ``auth/sign_in.py``'s, shared with the OAuth consent page."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from starlette.responses import Response

from playrunner.api.dependencies import DatabaseDep, client_address
from playrunner.api.state import app_state
from playrunner.auth import sign_in
from playrunner.sessions import service as sessions_service
from playrunner.ui import csrf
from playrunner.ui.pages import redirect, render, safe_next
from playrunner.ui.routes import pages_router
from playrunner.ui.session import (
    SESSION_COOKIE,
    MaybeUser,
    PostedForm,
    clear_session_cookie,
    read_form,
    set_session_cookie,
)

router = pages_router()

SIGN_IN = "/sign-in"
# The sign-in form comes before any session: its CSRF token is a double-submit cookie.
SIGN_IN_CSRF_COOKIE = "playrunner_sign_in_csrf"


@router.get(SIGN_IN)
async def sign_in_page(
    request: Request,
    user: MaybeUser,
    next_url: Annotated[str | None, Query(alias="next")] = None,
    service: str | None = None,
    password: str = "",
) -> Response:
    if user is not None:
        return redirect(safe_next(next_url))
    return _form(
        request, next_url=safe_next(next_url), service=service, password_set=password == "set"
    )


@router.post(SIGN_IN)
async def sign_in_submit(request: Request, db: DatabaseDep) -> Response:
    fields = dict(await read_form(request))
    next_url = safe_next(fields.get("next"))
    service = fields.get("service") or None
    email = fields.get("email", "").strip()
    if not csrf.cookie_matches(request, SIGN_IN_CSRF_COOKIE, fields.get(csrf.CSRF_FIELD)):
        return _form(
            request,
            next_url=next_url,
            service=service,
            email=email,
            error="The sign-in form had expired; please sign in again.",
            status=403,
        )
    if not email or not fields.get("password"):
        return _form(
            request,
            next_url=next_url,
            service=service,
            email=email,
            error="Enter your email and your password.",
            status=400,
        )
    try:
        user = await sign_in.sign_in(
            db,
            app_state(request).rate_limiter,
            email=email,
            password=fields["password"],
            client_address=client_address(request),
            tenant_id=service,
        )
    except sign_in.SignInRefused as refused:
        return _form(
            request,
            next_url=next_url,
            service=service,
            email=email,
            error=refused.message,
            status=refused.status_code if refused.status_code != 200 else 401,
        )
    started = await db.write(lambda s: sessions_service.start(s, user))
    response = redirect(next_url)
    set_session_cookie(response, request, started.secret)
    response.delete_cookie(SIGN_IN_CSRF_COOKIE, path=SIGN_IN)
    return response


@router.post("/sign-out")
async def sign_out(request: Request, form: PostedForm, db: DatabaseDep) -> Response:
    secret = request.cookies.get(SESSION_COOKIE)
    await db.write(lambda s: sessions_service.end(s, secret))
    response = redirect(SIGN_IN)
    clear_session_cookie(response, request)
    return response


def _form(
    request: Request,
    *,
    next_url: str,
    service: str | None,
    email: str = "",
    error: str | None = None,
    status: int = 200,
    password_set: bool = False,
) -> Response:
    token = csrf.new_token()
    response = render(
        request,
        "auth/sign_in.html",
        {
            "next_url": next_url,
            "service": service or "",
            "email": email,
            "error": error,
            "sign_in_csrf": token,
            "password_set": password_set,
        },
        status=status,
    )
    csrf.set_cookie(response, request, SIGN_IN_CSRF_COOKIE, token, SIGN_IN)
    return response
