"""Flows (Totango's activity types) and account roles in the admin console: list, create,
rename, delete, with the API's rules about what is still in use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from playrunner.accounts import service as accounts_service
from playrunner.api.dependencies import DatabaseDep
from playrunner.auth.principal import Principal
from playrunner.errors import PlayrunnerError
from playrunner.flows import service
from playrunner.ui.pages import redirect, render
from playrunner.ui.routes import pages_router
from playrunner.ui.session import CurrentAdmin, PostedForm

router = pages_router()

SETUP = "/setup"


@router.get(SETUP)
async def setup_page(
    request: Request, admin: CurrentAdmin, db: DatabaseDep, done: str = ""
) -> Response:
    return await _page(request, admin, db, done=done)


@router.post(SETUP)
async def setup_change(
    request: Request, admin: CurrentAdmin, form: PostedForm, db: DatabaseDep
) -> Response:
    """One form per change: create, rename or delete a flow or a role."""
    tenant = admin.tenant_id
    action = form.get("do")
    changes: dict[str, tuple[Callable[[Session], Any], str]] = {
        "create_flow": (
            lambda s: service.create_flow(s, tenant, form.get("id").strip(), form.get("name")),
            f"Flow {form.get('id').strip()} created.",
        ),
        "rename_flow": (
            lambda s: service.rename_flow(s, tenant, form.get("id"), form.get("name")),
            f"Flow {form.get('id')} renamed.",
        ),
        "delete_flow": (
            lambda s: service.delete_flow(s, tenant, form.get("id")),
            f"Flow {form.get('id')} deleted.",
        ),
        "create_role": (
            lambda s: accounts_service.add_role(s, tenant, form.get("name")),
            f"Account role {form.get('name').strip()} created.",
        ),
        "rename_role": (
            lambda s: accounts_service.rename_role(s, tenant, form.get("role"), form.get("name")),
            f"Account role {form.get('role')} renamed to {form.get('name').strip()}.",
        ),
        "delete_role": (
            lambda s: accounts_service.delete_role(s, tenant, form.get("role")),
            f"Account role {form.get('role')} deleted.",
        ),
    }
    if action not in changes:
        return await _page(request, admin, db, error="Choose what to change.", status=400)
    change, done = changes[action]
    try:
        await db.write(change)
    except PlayrunnerError as refused:
        return await _page(request, admin, db, error=refused.message, status=refused.status_code)
    return redirect(f"{SETUP}?done={quote(done, safe='')}")


async def _page(
    request: Request,
    admin: Principal,
    db: DatabaseDep,
    *,
    done: str = "",
    error: str | None = None,
    status: int = 200,
) -> Response:
    def read(s: Session) -> dict[str, Any]:
        return {
            "flows": service.list_flows(s, admin.tenant_id),
            "roles": [role.name for role in accounts_service.list_roles(s, admin.tenant_id)],
        }

    return render(
        request, "flows/setup.html", {**await db.read(read), "done": done, "error": error}, status
    )
