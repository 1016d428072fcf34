"""Email settings in the web app: everyone's own (``/settings``: emails about work assigned
to them), and the admins' switch that forces them on for everyone (shown on ``/users``)."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from playrunner.api.dependencies import DatabaseDep
from playrunner.api.state import app_state
from playrunner.auth.principal import Principal
from playrunner.notifications import service
from playrunner.tenants import service as tenants_service
from playrunner.tenants.schemas import ServicePatch
from playrunner.ui.pages import redirect, render
from playrunner.ui.routes import pages_router
from playrunner.ui.session import CurrentAdmin, CurrentUser, PostedForm
from playrunner.users import service as users_service
from playrunner.users.schemas import PreferencesPatch

router = pages_router()


@router.get("/settings")
async def settings_page(request: Request, user: CurrentUser, db: DatabaseDep) -> Response:
    saved = request.query_params.get("saved") == "1"
    return await _page(request, user, db, done="Saved." if saved else None)


@router.post("/settings")
async def save_settings(
    request: Request, user: CurrentUser, form: PostedForm, db: DatabaseDep
) -> Response:
    """An unticked checkbox is not posted: its absence means off."""
    patch = PreferencesPatch(email_notifications=form.get("email_notifications") == "on")
    await db.write(lambda s: users_service.update_preferences(s, user, patch))
    return redirect("/settings?saved=1")


@router.post("/service-settings")
async def save_service_settings(
    request: Request, admin: CurrentAdmin, form: PostedForm, db: DatabaseDep
) -> Response:
    """The admins' switch on the users page."""
    patch = ServicePatch(force_email_notifications=form.get("force_email_notifications") == "on")
    configured = app_state(request).settings.email_enabled
    await db.write(
        lambda s: tenants_service.update_settings(s, admin, patch, email_configured=configured)
    )
    return redirect("/users?saved=email")


async def _page(
    request: Request, user: Principal, db: DatabaseDep, *, done: str | None = None
) -> Response:
    found = await db.read(lambda s: service.preferences(s, user))
    return render(
        request,
        "notifications/settings.html",
        {
            "preferences": found,
            "email_configured": app_state(request).settings.email_enabled,
            "done": done,
        },
    )
