"""``POST /api/v1/events/{source_id}``: systems post signed events; ``/api/v1/event-sources``:
admins manage the sources, their rules, and see what came of each event."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response

from playrunner.api.dependencies import DatabaseDep
from playrunner.api.openapi import problem_responses
from playrunner.api.paths import RuleId, SourceId
from playrunner.api.routes import DirectRoute
from playrunner.api.state import app_state
from playrunner.auth.dependencies import AdminPrincipal, require_scope
from playrunner.ids import parse_id
from playrunner.inbound import service
from playrunner.inbound.schemas import (
    EVENT_EXAMPLE,
    EventAccepted,
    InboundEventRead,
    RuleRead,
    RuleTest,
    RuleTestResult,
    RuleWrite,
    SourceCreate,
    SourceCreated,
    SourceRead,
)

# Receiving: a direct route (api/routes.py says why), which the app puts first.
receiver = APIRouter(prefix=service.EVENTS_PATH, tags=["Inbound events"], route_class=DirectRoute)
router = APIRouter(prefix="/api/v1/event-sources", tags=["Inbound events"])
READ = [require_scope("events:read")]
WRITE = [require_scope("events:write")]


@receiver.post(
    "/{source_id}",
    operation_id="postEvent",
    status_code=202,
    response_model=EventAccepted,
    responses={
        200: {"model": EventAccepted, "description": "A duplicate: dropped"},
        **problem_responses(400, 401, 404, 413, 503),
    },
    openapi_extra={
        "parameters": [
            {
                "name": "source_id",
                "in": "path",
                "required": True,
                "description": "The event source's id",
                "schema": {"type": "string", "format": "uuid"},
            },
            *(
                {"name": name, "in": "header", "required": True, "schema": {"type": "string"}}
                for name in ("webhook-id", "webhook-timestamp", "webhook-signature")
            ),
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "object", "example": EVENT_EXAMPLE}}
            },
        },
    },
)
async def post_event(request: Request) -> Response:
    """An event for the source: a JSON object signed as the Standard Webhooks specification
    says (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``) with the source's
    secret. ``202`` once it is stored; it is processed in the background. An event whose
    ``webhook-id`` the source received before is answered ``200`` with ``status:
    duplicate`` and dropped (a sender's retry). A bad or missing signature is ``401`` (and
    logged)."""
    # A direct route (issue 15 wants ingestion at least three times the trigger call's
    # rate): the path's id parsed here, the answer written as bytes.
    source_id = parse_id(request.path_params["source_id"], "Event source", "source_id")
    body = await request.body()
    state = app_state(request)
    source = service.cached_signer(source_id, state.settings)
    if source is None:
        source = await state.database.read(lambda s: service.signer(s, source_id, state.settings))
    event_id = service.verify(source, body, request.headers)
    answer = await service.receive(state.database, source, event_id, body)
    status = 202 if answer.status == "accepted" else 200
    return Response(answer.model_dump_json(), status, media_type="application/json")


@router.get(
    "",
    operation_id="listEventSources",
    dependencies=READ,
    response_model=list[SourceRead],
    responses=problem_responses(401, 403, 429, 503),
)
async def list_sources(principal: AdminPrincipal, db: DatabaseDep) -> list[SourceRead]:
    """The service's event sources, oldest first. Never their secrets."""
    return await db.read(lambda s: service.list_sources(s, principal))


@router.post(
    "",
    operation_id="createEventSource",
    dependencies=WRITE,
    status_code=201,
    response_model=SourceCreated,
    responses=problem_responses(400, 401, 403, 409, 429, 503),
)
async def create_source(
    body: SourceCreate, principal: AdminPrincipal, db: DatabaseDep, request: Request
) -> SourceCreated:
    """A new source. The answer carries its signing secret (``secret``), shown only this
    once, and where to post its events (``events_url``)."""
    settings = app_state(request).settings
    return await db.write(lambda s: service.create_source(s, principal, body, settings))


@router.get(
    "/{source_id}",
    operation_id="getEventSource",
    dependencies=READ,
    response_model=SourceRead,
    responses=problem_responses(401, 403, 404, 429, 503),
)
async def get_source(source_id: SourceId, principal: AdminPrincipal, db: DatabaseDep) -> SourceRead:
    return await db.read(lambda s: service.source_read(service.get_source(s, principal, source_id)))


@router.post(
    "/{source_id}/rotate-secret",
    operation_id="rotateEventSourceSecret",
    dependencies=WRITE,
    response_model=SourceCreated,
    responses=problem_responses(401, 403, 404, 429, 503),
)
async def rotate_secret(
    source_id: SourceId, principal: AdminPrincipal, db: DatabaseDep, request: Request
) -> SourceCreated:
    """A new signing secret and token, shown only in this answer; the old ones are refused at
    once."""
    settings = app_state(request).settings
    return await db.write(lambda s: service.rotate_secret(s, principal, source_id, settings))


@router.delete(
    "/{source_id}",
    operation_id="deleteEventSource",
    dependencies=WRITE,
    status_code=204,
    responses=problem_responses(401, 403, 404, 429, 503),
)
async def delete_source(
    source_id: SourceId, principal: AdminPrincipal, db: DatabaseDep, request: Request
) -> Response:
    """Delete a source with its rules and the events it received."""
    settings = app_state(request).settings
    await db.write(lambda s: service.delete_source(s, principal, source_id, settings))
    return Response(status_code=204)


@router.get(
    "/{source_id}/rules",
    operation_id="listEventRules",
    dependencies=READ,
    response_model=list[RuleRead],
    responses=problem_responses(401, 403, 404, 429, 503),
)
async def list_rules(
    source_id: SourceId, principal: AdminPrincipal, db: DatabaseDep
) -> list[RuleRead]:
    """The source's rules, in the order they are tried."""
    return await db.read(lambda s: service.list_rules(s, principal, source_id))


@router.post(
    "/{source_id}/rules",
    operation_id="createEventRule",
    dependencies=WRITE,
    status_code=201,
    response_model=RuleRead,
    responses=problem_responses(400, 401, 403, 404, 429, 503),
)
async def create_rule(
    source_id: SourceId, body: RuleWrite, principal: AdminPrincipal, db: DatabaseDep
) -> RuleRead:
    """Add a rule, tried after the source's others."""
    return await db.write(lambda s: service.add_rule(s, principal, source_id, body))


@router.put(
    "/{source_id}/rules/{rule_id}",
    operation_id="replaceEventRule",
    dependencies=WRITE,
    response_model=RuleRead,
    responses=problem_responses(400, 401, 403, 404, 429, 503),
)
async def replace_rule(
    source_id: SourceId,
    rule_id: RuleId,
    body: RuleWrite,
    principal: AdminPrincipal,
    db: DatabaseDep,
) -> RuleRead:
    return await db.write(lambda s: service.replace_rule(s, principal, source_id, rule_id, body))


@router.delete(
    "/{source_id}/rules/{rule_id}",
    operation_id="deleteEventRule",
    dependencies=WRITE,
    status_code=204,
    responses=problem_responses(401, 403, 404, 429, 503),
)
async def delete_rule(
    source_id: SourceId, rule_id: RuleId, principal: AdminPrincipal, db: DatabaseDep
) -> Response:
    await db.write(lambda s: service.delete_rule(s, principal, source_id, rule_id))
    return Response(status_code=204)


@router.post(
    "/{source_id}/test",
    operation_id="testEventRules",
    dependencies=READ,
    response_model=RuleTestResult,
    responses=problem_responses(400, 401, 403, 404, 429, 503),
)
async def test_rules(
    source_id: SourceId, body: RuleTest, principal: AdminPrincipal, db: DatabaseDep
) -> RuleTestResult:
    """What the source's rules would do with this sample event (the rule that matches, the
    account, the attributes it would set or the play's dry run). Nothing is written."""
    return await db.read(lambda s: service.test_rules(s, principal, source_id, body.payload))


@router.get(
    "/{source_id}/events",
    operation_id="listInboundEvents",
    dependencies=READ,
    response_model=list[InboundEventRead],
    responses=problem_responses(400, 401, 403, 404, 429, 503),
)
async def list_events(
    source_id: SourceId,
    principal: AdminPrincipal,
    db: DatabaseDep,
    limit: int = Query(default=50, ge=1, le=500),
) -> list[InboundEventRead]:
    """The source's latest events, newest first, each with its outcome: the rule that
    matched and what it did (the run's id), or why nothing happened."""
    return await db.read(lambda s: service.list_events(s, principal, source_id, limit))
