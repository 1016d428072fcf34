"""Webhooks in the admin console: register an endpoint (its signing secret shown once), see
each delivery with every attempt, redeliver, enable or disable, rotate the secret, delete.
The same services and checks as the API."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.responses import Response

from playrunner.api.dependencies import DatabaseDep
from playrunner.api.paths import DeliveryId, EndpointId
from playrunner.api.state import app_state
from playrunner.auth.principal import Principal
from playrunner.errors import InvalidRequest, PlayrunnerError
from playrunner.ui.errors import field_messages, refusal_status
from playrunner.ui.pages import redirect, render
from playrunner.ui.routes import pages_router
from playrunner.ui.session import CurrentAdmin, PostedForm
from playrunner.validation import parse_model
from playrunner.webhooks import service
from playrunner.webhooks.schemas import (
    EVENT_TYPES,
    EndpointCreate,
    EndpointCreated,
    EndpointPatch,
    EndpointRead,
)

router = pages_router()

EVENT_CHOICES = [("*", "Every event"), *[(name, name) for name in EVENT_TYPES]]


@router.get("/webhooks")
async def endpoints_page(request: Request, admin: CurrentAdmin, db: DatabaseDep) -> Response:
    return await _list(request, admin, db)


@router.post("/webhooks")
async def register(
    request: Request, admin: CurrentAdmin, form: PostedForm, db: DatabaseDep
) -> Response:
    typed = {
        "url": form.get("url").strip(),
        "events": form.get_all("events"),
        "description": form.get("description").strip(),
    }
    settings = app_state(request).settings
    try:
        spec = parse_model(EndpointCreate, typed, what="endpoint")
        created = await db.write(lambda s: service.create_endpoint(s, admin, spec, settings))
    except PlayrunnerError as refused:
        return await _list(
            request,
            admin,
            db,
            errors=field_messages(refused),
            typed=typed,
            status=refusal_status(refused),
        )
    return await _endpoint(request, admin, db, created, done="Endpoint registered.")


@router.get("/webhooks/{endpoint_id}")
async def endpoint_page(
    request: Request, admin: CurrentAdmin, endpoint_id: EndpointId, db: DatabaseDep
) -> Response:
    endpoint = await db.read(
        lambda s: service.endpoint_read(service.get_endpoint(s, admin, endpoint_id))
    )
    return await _endpoint(request, admin, db, endpoint)


@router.post("/webhooks/{endpoint_id}")
async def change_endpoint(
    request: Request,
    admin: CurrentAdmin,
    endpoint_id: EndpointId,
    form: PostedForm,
    db: DatabaseDep,
) -> Response:
    """Enable, disable, rotate the secret, or delete."""
    settings = app_state(request).settings
    action = form.get("do")
    if action == "delete":
        await db.write(lambda s: service.delete_endpoint(s, admin, endpoint_id))
        return redirect("/webhooks")
    if action == "rotate":
        rotated = await db.write(lambda s: service.rotate_secret(s, admin, endpoint_id, settings))
        done = "A new signing secret; the old one no longer signs."
        return await _endpoint(request, admin, db, rotated, done=done)
    if action not in ("enable", "disable"):
        raise InvalidRequest("Choose what to change", field="do")
    patch = EndpointPatch(enabled=action == "enable")
    changed = await db.write(
        lambda s: service.update_endpoint(s, admin, endpoint_id, patch, settings)
    )
    done = "Enabled: new events are sent." if changed.enabled else "Disabled: nothing is sent."
    return await _endpoint(request, admin, db, changed, done=done)


@router.post("/webhooks/deliveries/{delivery_id}")
async def redeliver(
    request: Request,
    admin: CurrentAdmin,
    delivery_id: DeliveryId,
    form: PostedForm,  # the CSRF token is checked with the form
    db: DatabaseDep,
) -> Response:
    """Refusals (unknown delivery, disabled endpoint) are the service's, shown as error pages."""
    delivery = await db.write(lambda s: service.redeliver(s, admin, delivery_id))
    return redirect(f"/webhooks/{delivery.endpoint_id}?redelivered={delivery.id}")


async def _endpoint(
    request: Request,
    admin: Principal,
    db: DatabaseDep,
    endpoint: EndpointRead,
    *,
    done: str | None = None,
) -> Response:
    deliveries = await db.read(lambda s: service.list_deliveries(s, admin, endpoint.id))
    redelivered = request.query_params.get("redelivered")
    return render(
        request,
        "webhooks/endpoint.html",
        {
            "endpoint": endpoint,
            "secret": endpoint.secret if isinstance(endpoint, EndpointCreated) else None,
            "deliveries": deliveries,
            "done": done or ("Queued to be sent again." if redelivered else None),
        },
    )


async def _list(
    request: Request,
    admin: Principal,
    db: DatabaseDep,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    endpoints = await db.read(lambda s: service.list_endpoints(s, admin))
    return render(
        request,
        "webhooks/endpoints.html",
        {
            "endpoints": endpoints,
            "retry_hours": f"{app_state(request).settings.webhook_retry_hours:g}",
            "events": EVENT_CHOICES,
            "errors": errors or {},
            "typed": typed or {"url": "", "events": ["*"], "description": ""},
        },
        status=status,
    )
