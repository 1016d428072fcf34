"""``/api/v3/activity-types``: flows, listed as Totango lists them; admins add, rename and
delete them."""

from __future__ import annotations

from fastapi import APIRouter, Response

from playrunner.api.dependencies import DatabaseDep
from playrunner.api.openapi import problem_responses
from playrunner.auth.dependencies import AdminPrincipal, CurrentPrincipal, require_scope
from playrunner.flows import service
from playrunner.flows.schemas import FlowCreate, FlowRead, FlowUpdate

router = APIRouter(prefix="/api/v3/activity-types", tags=["Flows (activity types)"])


@router.get(
    "",
    operation_id="listActivityTypes",
    dependencies=[require_scope("flows:read")],
    response_model=list[FlowRead],
    responses=problem_responses(401, 403, 429, 503),
)
async def list_flows(principal: CurrentPrincipal, db: DatabaseDep) -> list[FlowRead]:
    """Your service's flows, ordered by id, as ``[{"id": ..., "name": ...}]``."""
    return await db.read(
        lambda s: [FlowRead.of(f) for f in service.list_flows(s, principal.tenant_id)]
    )


@router.post(
    "",
    operation_id="createActivityType",
    dependencies=[require_scope("flows:write")],
    status_code=201,
    response_model=FlowRead,
    responses=problem_responses(400, 401, 403, 409, 429, 503),
)
async def create_flow(body: FlowCreate, principal: AdminPrincipal, db: DatabaseDep) -> FlowRead:
    """Add a flow; 409 if the id is taken."""
    return await db.write(
        lambda s: FlowRead.of(service.create_flow(s, principal.tenant_id, body.id, body.name))
    )


@router.put(
    "/{flow_id}",
    operation_id="updateActivityType",
    dependencies=[require_scope("flows:write")],
    response_model=FlowRead,
    responses=problem_responses(400, 401, 403, 404, 429, 503),
)
async def update_flow(
    flow_id: str, body: FlowUpdate, principal: AdminPrincipal, db: DatabaseDep
) -> FlowRead:
    """Rename a flow; its id stays, so tasks and plays keep pointing at it."""
    return await db.write(
        lambda s: FlowRead.of(service.rename_flow(s, principal.tenant_id, flow_id, body.name))
    )


@router.delete(
    "/{flow_id}",
    operation_id="deleteActivityType",
    dependencies=[require_scope("flows:write")],
    status_code=204,
    responses=problem_responses(401, 403, 404, 409, 429, 503),
)
async def delete_flow(flow_id: str, principal: AdminPrincipal, db: DatabaseDep) -> Response:
    """Delete a flow; 409 while a SuccessPlay uses it. Its tasks stay, with no flow."""
    await db.write(lambda s: service.delete_flow(s, principal.tenant_id, flow_id))
    return Response(status_code=204)
