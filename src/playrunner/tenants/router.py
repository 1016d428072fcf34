"""``/api/v1/service``: the caller's service and its settings, for its admins."""

from __future__ import annotations

from fastapi import APIRouter, Request

from playrunner.api.dependencies import DatabaseDep
from playrunner.api.openapi import problem_responses
from playrunner.api.state import app_state
from playrunner.auth.dependencies import AdminPrincipal, require_scope
from playrunner.tenants import service
from playrunner.tenants.schemas import ServicePatch, ServiceRead

router = APIRouter(prefix="/api/v1/service", tags=["Service"])


@router.get(
    "",
    operation_id="getService",
    dependencies=[require_scope("service:read")],
    response_model=ServiceRead,
    responses=problem_responses(401, 403, 429, 503),
)
async def get_service(request: Request, principal: AdminPrincipal, db: DatabaseDep) -> ServiceRead:
    """Your service and its settings."""
    configured = app_state(request).settings.email_enabled
    return await db.read(lambda s: service.read_settings(s, principal, email_configured=configured))


@router.patch(
    "",
    operation_id="updateService",
    dependencies=[require_scope("service:write")],
    response_model=ServiceRead,
    responses=problem_responses(400, 401, 403, 429, 503),
)
async def update_service(
    request: Request, body: ServicePatch, principal: AdminPrincipal, db: DatabaseDep
) -> ServiceRead:
    """Change your service's settings: `force_email_notifications: true` sends everyone the
    emails about work assigned to them, whatever their own setting (as Totango's forced
    notifications)."""
    configured = app_state(request).settings.email_enabled
    return await db.write(
        lambda s: service.update_settings(s, principal, body, email_configured=configured)
    )
