"""Users in the admin console: invite (a one-time link to set a password, or a password set
now), make or unmake admin (never the last active one), deactivate. And the invitation's page,
where the invited person sets their password."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Path, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from playrunner.api.dependencies import DatabaseDep
from playrunner.api.state import app_state
from playrunner.auth.principal import Principal
from playrunner.errors import InvalidRequest, PlayrunnerError
from playrunner.ids import parse_id
from playrunner.models import User, UserRole
from playrunner.pagination import every_page
from playrunner.tenants import service as tenants_service
from playrunner.tenants.schemas import ServiceRead
from playrunner.ui import csrf
from playrunner.ui.errors import field_messages, refusal_status
from playrunner.ui.pages import public_base_url, redirect, render
from playrunner.ui.routes import pages_router
from playrunner.ui.session import CurrentAdmin, PostedForm, read_form
from playrunner.users import service
from playrunner.users.schemas import UserPatch

router = pages_router()

UserIdPath = Annotated[str, Path(max_length=64)]
LINK_CSRF_COOKIE = "playrunner_password_link_csrf"


@router.get("/users")
async def users_page(request: Request, admin: CurrentAdmin, db: DatabaseDep) -> Response:
    saved = request.query_params.get("saved") == "email"
    return await _list(request, admin, db, done="Email setting saved." if saved else None)


@router.post("/users")
async def invite(
    request: Request, admin: CurrentAdmin, form: PostedForm, db: DatabaseDep
) -> Response:
    """Create a user; then a one-time link to pass on, or the password typed here."""
    email, name = form.get("email").strip(), form.get("name").strip()
    role = UserRole.SERVICE_ADMIN if form.get("admin") == "on" else UserRole.USER
    password = form.get("password")
    typed = {"email": email, "name": name, "admin": form.get("admin") == "on"}

    def create(s: Session) -> tuple[User, str | None]:
        user = service.create_user(s, admin.tenant_id, email, name, role)
        if form.get("how") == "password":
            if not password:
                raise InvalidRequest("Enter a password, or choose to send a link", field="password")
            service.set_password(s, admin.tenant_id, user.email, password)
            return user, None
        return user, service.issue_password_link(s, admin.tenant_id, user.id)

    try:
        user, link = await db.write(create)
    except PlayrunnerError as refused:
        return await _list(
            request,
            admin,
            db,
            errors=field_messages(refused),
            typed=typed,
            status=refusal_status(refused),
        )
    return await _user(request, admin.tenant_id, user.id, db, link=link, done="User created.")


@router.get("/users/{user_id}")
async def user_page(
    request: Request, admin: CurrentAdmin, user_id: UserIdPath, db: DatabaseDep
) -> Response:
    return await _user(request, admin.tenant_id, parse_id(user_id, "User", "user_id"), db)


@router.post("/users/{user_id}")
async def change_user(
    request: Request, admin: CurrentAdmin, user_id: UserIdPath, form: PostedForm, db: DatabaseDep
) -> Response:
    """Make or unmake admin, deactivate or activate, issue a new link, or set the password."""
    key = parse_id(user_id, "User", "user_id")
    tenant = admin.tenant_id
    action = form.get("do")

    def change(s: Session) -> str | None:
        user = service.get_user(s, tenant, key)
        if action == "make_admin":
            service.update_user(s, tenant, user.email, UserPatch(role=UserRole.SERVICE_ADMIN))
        elif action == "unmake_admin":
            service.update_user(s, tenant, user.email, UserPatch(role=UserRole.USER))
        elif action == "deactivate":
            service.update_user(s, tenant, user.email, UserPatch(active=False))
        elif action == "activate":
            service.update_user(s, tenant, user.email, UserPatch(active=True))
        elif action == "link":
            return service.issue_password_link(s, tenant, user.id)
        elif action == "password":
            service.set_password(s, tenant, user.email, form.get("password"))
        else:
            raise InvalidRequest("Choose what to change", field="do")
        return None

    try:
        link = await db.write(change)
    except PlayrunnerError as refused:
        return await _user(
            request, tenant, key, db, error=refused.message, status=refused.status_code
        )
    if link is not None:
        return await _user(request, tenant, key, db, link=link)
    return redirect(f"/users/{key}")


@router.get("/set-password/{secret}")
async def password_link_page(request: Request, secret: str, db: DatabaseDep) -> Response:
    user = await db.read(lambda s: service.user_of_password_link(s, secret))
    return _password_form(request, secret, user)


@router.post("/set-password/{secret}")
async def set_password(request: Request, secret: str, db: DatabaseDep) -> Response:
    fields = dict(await read_form(request))
    user = await db.read(lambda s: service.user_of_password_link(s, secret))
    if not csrf.cookie_matches(request, LINK_CSRF_COOKIE, fields.get(csrf.CSRF_FIELD)):
        return _password_form(
            request, secret, user, error="The form had expired; try again.", status=403
        )
    password = fields.get("password", "")
    if password != fields.get("again", ""):
        return _password_form(request, secret, user, error="The two passwords differ.", status=400)
    try:
        await db.write(lambda s: service.set_password_with_link(s, secret, password))
    except PlayrunnerError as refused:
        return _password_form(request, secret, user, error=refused.message, status=400)
    return redirect("/sign-in?password=set")


def _password_form(
    request: Request, secret: str, user: User, *, error: str | None = None, status: int = 200
) -> Response:
    token = csrf.new_token()
    response = render(
        request,
        "users/set_password.html",
        {"secret": secret, "person": user, "error": error, "link_csrf": token},
        status=status,
    )
    csrf.set_cookie(response, request, LINK_CSRF_COOKIE, token, "/set-password/")
    return response


async def _list(
    request: Request,
    admin: Principal,
    db: DatabaseDep,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[str, object] | None = None,
    done: str | None = None,
    status: int = 200,
) -> Response:
    configured = app_state(request).settings.email_enabled

    def read(s: Session) -> tuple[list[User], ServiceRead]:
        users = every_page(
            lambda limit, offset: service.page_users(s, admin.tenant_id, limit=limit, offset=offset)
        )
        return users, tenants_service.read_settings(s, admin, email_configured=configured)

    users, settings = await db.read(read)
    return render(
        request,
        "users/users.html",
        {
            "users": users,
            "service_settings": settings,
            "errors": errors or {},
            "typed": typed or {},
            "done": done,
        },
        status=status,
    )


async def _user(
    request: Request,
    tenant: str,
    user_id: uuid.UUID,
    db: DatabaseDep,
    *,
    link: str | None = None,
    done: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    person = await db.read(lambda s: service.get_user(s, tenant, user_id))
    base = public_base_url(request)
    return render(
        request,
        "users/user.html",
        {
            "person": person,
            "link": f"{base}/set-password/{link}" if link else None,
            "done": done,
            "error": error,
        },
        status=status,
    )
