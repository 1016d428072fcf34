"""OAuth applications in the admin console: register one (grant types, scopes with their
labels, redirect URIs, the user a client-credentials token acts as), its client secret shown
once, rotate the secret, delete the application."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from playrunner.api.dependencies import DatabaseDep
from playrunner.api.paths import AppId
from playrunner.auth import scopes as catalogue
from playrunner.auth.principal import Principal
from playrunner.errors import InvalidRequest, PlayrunnerError
from playrunner.models import GrantType
from playrunner.oauth import service
from playrunner.oauth.schemas import AppCreate, AppRead
from playrunner.pagination import every_page
from playrunner.ui.errors import field_messages, refusal_status
from playrunner.ui.forms import number
from playrunner.ui.pages import redirect, render
from playrunner.ui.routes import pages_router
from playrunner.ui.session import CurrentAdmin, Form, PostedForm
from playrunner.users import service as users_service
from playrunner.validation import parse_model

router = pages_router()

GRANTS = [
    (GrantType.CLIENT_CREDENTIALS.value, "Client credentials: the app acts as a user you choose"),
    (GrantType.AUTHORIZATION_CODE.value, "Authorization code: people sign in and allow it"),
    (GrantType.REFRESH_TOKEN.value, "Refresh tokens (with authorization code)"),
]


@router.get("/apps")
async def apps_page(request: Request, admin: CurrentAdmin, db: DatabaseDep) -> Response:
    return await _page(request, admin, db)


@router.post("/apps")
async def register(
    request: Request, admin: CurrentAdmin, form: PostedForm, db: DatabaseDep
) -> Response:
    data = posted_app(form)
    try:
        spec = parse_model(AppCreate, data, what="application")
        issued = await db.write(lambda s: service.create_app(s, admin.tenant_id, spec))
    except PlayrunnerError as refused:
        return await _page(
            request,
            admin,
            db,
            errors=field_messages(refused),
            typed=data,
            status=refusal_status(refused),
        )
    return _app(request, issued.app, secret=issued.secret, done="Application registered.")


@router.get("/apps/{app_id}")
async def app_page(
    request: Request, admin: CurrentAdmin, app_id: AppId, db: DatabaseDep
) -> Response:
    app = await db.read(lambda s: service.read_app(s, service.get_app(s, admin.tenant_id, app_id)))
    return _app(request, app)


@router.post("/apps/{app_id}")
async def change_app(
    request: Request, admin: CurrentAdmin, app_id: AppId, form: PostedForm, db: DatabaseDep
) -> Response:
    """Rotate the secret (the old one stops at once), or delete the application (every token
    it holds is revoked)."""
    action = form.get("do")
    if action == "delete":
        await db.write(lambda s: service.delete_app(s, admin.tenant_id, app_id))
        return redirect("/apps")
    if action != "rotate":
        raise InvalidRequest("Choose what to change", field="do")
    issued = await db.write(lambda s: service.rotate_secret(s, admin.tenant_id, app_id))
    return _app(
        request,
        issued.app,
        secret=issued.secret,
        done="A new client secret; the old one no longer works.",
    )


def posted_app(form: Form) -> dict[str, Any]:
    return {
        "name": form.get("name").strip(),
        "grant_types": form.get_all("grant_types"),
        "scopes": form.get_all("scopes"),
        "redirect_uris": [
            line.strip() for line in form.get("redirect_uris").splitlines() if line.strip()
        ],
        "acting_user": form.get("acting_user") or None,
        "access_token_lifetime": number(form.get("access_token_lifetime", "3600")),
    }


def _app(
    request: Request, app: AppRead, *, secret: str | None = None, done: str | None = None
) -> Response:
    return render(
        request,
        "oauth_apps/app.html",
        {"app": app, "secret": secret, "done": done, "labels": _labels()},
    )


def _labels() -> dict[str, str]:
    return {scope.name: scope.label for scope in catalogue.CATALOGUE}


async def _page(
    request: Request,
    admin: Principal,
    db: DatabaseDep,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    def read(s: Session) -> tuple[list[AppRead], list[tuple[str, str]]]:
        apps = every_page(
            lambda limit, offset: service.page_apps(s, admin.tenant_id, limit=limit, offset=offset)
        )
        return apps, users_service.active_user_choices(s, admin.tenant_id)

    apps, users = await db.read(read)
    return render(
        request,
        "oauth_apps/apps.html",
        {
            "apps": apps,
            "users": users,
            "grants": GRANTS,
            "scopes": [
                (scope.name, f"{scope.label} ({scope.name})") for scope in catalogue.CATALOGUE
            ],
            "labels": _labels(),
            "errors": errors or {},
            "typed": typed
            or {
                "name": "",
                "grant_types": ["client_credentials"],
                "scopes": [],
                "redirect_uris": [],
                "acting_user": admin.email,
                "access_token_lifetime": 3600,
            },
        },
        status=status,
    )
