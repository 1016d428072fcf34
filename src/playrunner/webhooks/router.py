"""``/api/v1/webhooks``: admins register the endpoints a service's events are sent to, see
each delivery with its attempts, and redeliver."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response

from playrunner.api.dependencies import DatabaseDep
from playrunner.api.openapi import problem_responses
from playrunner.api.paths import DeliveryId, EndpointId
from playrunner.api.state import app_state
from playrunner.auth.dependencies import AdminPrincipal, require_scope
from playrunner.webhooks import service
from playrunner.webhooks.schemas import (
    DeliveryRead,
    EndpointCreate,
    EndpointCreated,
    EndpointPatch,
    EndpointRead,
)

router = APIRouter(prefix="/api/v1/webhooks", tags=["Webhooks"])
READ = [require_scope("webhooks:read")]
WRITE = [require_scope("webhooks:write")]


@router.get(
    "",
    operation_id="listWebhookEndpoints",
    dependencies=READ,
    response_model=list[EndpointRead],
    responses=problem_responses(401, 403, 429, 503),
)
async def list_endpoints(principal: AdminPrincipal, db: DatabaseDep) -> list[EndpointRead]:
    """The service's endpoints, oldest first. Never their secrets."""
    return await db.read(lambda s: service.list_endpoints(s, principal))


@router.post(
    "",
    operation_id="createWebhookEndpoint",
    dependencies=WRITE,
    status_code=201,
    response_model=EndpointCreated,
    responses=problem_responses(400, 401, 403, 429, 503),
)
async def create_endpoint(
    body: EndpointCreate, principal: AdminPrincipal, db: DatabaseDep, request: Request
) -> EndpointCreated:
    """Register an endpoint for the event types named. The answer carries the signing
    secret (``secret``), shown only this once. Loopback and private addresses are refused
    unless the server allows them."""
    settings = app_state(request).settings
    return await db.write(lambda s: service.create_endpoint(s, principal, body, settings))


@router.get(
    "/{endpoint_id}",
    operation_id="getWebhookEndpoint",
    dependencies=READ,
    response_model=EndpointRead,
    responses=problem_responses(401, 403, 404, 429, 503),
)
async def get_endpoint(
    endpoint_id: EndpointId, principal: AdminPrincipal, db: DatabaseDep
) -> EndpointRead:
    return await db.read(
        lambda s: service.endpoint_read(service.get_endpoint(s, principal, endpoint_id))
    )


@router.patch(
    "/{endpoint_id}",
    operation_id="updateWebhookEndpoint",
    dependencies=WRITE,
    response_model=EndpointRead,
    responses=problem_responses(400, 401, 403, 404, 429, 503),
)
async def update_endpoint(
    endpoint_id: EndpointId,
    body: EndpointPatch,
    principal: AdminPrincipal,
    db: DatabaseDep,
    request: Request,
) -> EndpointRead:
    """Change the fields given. ``enabled: true`` also clears why Playrunner disabled it."""
    settings = app_state(request).settings
    return await db.write(
        lambda s: service.update_endpoint(s, principal, endpoint_id, body, settings)
    )


@router.post(
    "/{endpoint_id}/rotate-secret",
    operation_id="rotateWebhookSecret",
    dependencies=WRITE,
    response_model=EndpointCreated,
    responses=problem_responses(401, 403, 404, 429, 503),
)
async def rotate_secret(
    endpoint_id: EndpointId, principal: AdminPrincipal, db: DatabaseDep, request: Request
) -> EndpointCreated:
    """A new signing secret, shown only in this answer; the old one stops at once."""
    settings = app_state(request).settings
    return await db.write(lambda s: service.rotate_secret(s, principal, endpoint_id, settings))


@router.delete(
    "/{endpoint_id}",
    operation_id="deleteWebhookEndpoint",
    dependencies=WRITE,
    status_code=204,
    responses=problem_responses(401, 403, 404, 429, 503),
)
async def delete_endpoint(
    endpoint_id: EndpointId, principal: AdminPrincipal, db: DatabaseDep
) -> Response:
    """Delete an endpoint and its deliveries; nothing more is sent to it."""
    await db.write(lambda s: service.delete_endpoint(s, principal, endpoint_id))
    return Response(status_code=204)


@router.get(
    "/{endpoint_id}/deliveries",
    operation_id="listWebhookDeliveries",
    dependencies=READ,
    response_model=list[DeliveryRead],
    responses=problem_responses(400, 401, 403, 404, 429, 503),
)
async def list_deliveries(
    endpoint_id: EndpointId,
    principal: AdminPrincipal,
    db: DatabaseDep,
    limit: int = Query(default=50, ge=1, le=500),
) -> list[DeliveryRead]:
    """The endpoint's latest deliveries, newest first, each with every attempt (time,
    status, latency, error)."""
    return await db.read(lambda s: service.list_deliveries(s, principal, endpoint_id, limit))


@router.post(
    "/deliveries/{delivery_id}/redeliver",
    operation_id="redeliverWebhook",
    dependencies=WRITE,
    response_model=DeliveryRead,
    responses=problem_responses(400, 401, 403, 404, 429, 503),
)
async def redeliver(
    delivery_id: DeliveryId, principal: AdminPrincipal, db: DatabaseDep
) -> DeliveryRead:
    """Send a delivery again now (delivered, failed or pending), with the same event id."""
    return await db.write(lambda s: service.redeliver(s, principal, delivery_id))
