"""``POST /api/v2/automations/run-manual-successplay``, byte for byte as Totango documents it."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from playrunner.api.bodies import read_json_body
from playrunner.api.dependencies import DatabaseDep
from playrunner.api.negotiation import wants_json
from playrunner.api.openapi import error_responses, problem_responses, text_example
from playrunner.api.paths import RunId
from playrunner.api.routes import TEXT_ERRORS, DirectRoute, TotangoCompatibleRoute
from playrunner.api.state import app_state
from playrunner.auth.dependencies import (
    TRIGGER_REQUIREMENT,
    TRIGGER_SCOPE,
    AdminPrincipal,
    counted_principal,
    require_scope,
    secret_from_headers,
)
from playrunner.auth.principal import require_service_admin
from playrunner.automations import service, turns
from playrunner.automations.schemas import (
    BODY_SHAPE,
    BulkBody,
    BulkRunResult,
    DryRunResult,
    TriggerBody,
    TriggerResult,
    parse_bulk,
    parse_trigger,
)
from playrunner.errors import InvalidRequest
from playrunner.idempotency.service import idempotent_request
from playrunner.models import RunSource
from playrunner.runs.schemas import RunDetail

RUN_ID_HEADER = "X-Run-Id"
SKIPPED_HEADER = "X-Skipped"
REPLAYED_HEADER = "Idempotent-Replayed"
IDEMPOTENCY_KEY = "Idempotency-Key"
TRIGGER_PATH = "/api/v2/automations/run-manual-successplay"

router = APIRouter(route_class=TotangoCompatibleRoute, tags=["Automations (Totango-compatible)"])
# The trigger: a direct route (api/routes.py says why), which the app puts first.
trigger = APIRouter(route_class=DirectRoute, tags=["Automations (Totango-compatible)"])
# Playrunner's own additions answer JSON and problem details; included into ``router`` below.
extensions = APIRouter(tags=["Automations (Playrunner extensions)"])

_TRIGGER_PARAMETERS = [
    {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": (
            "Up to 255 printable characters. Within 24 hours the same token, key and body "
            "replay the first answer (header Idempotent-Replayed: true) and create nothing; "
            "the same key with another body is refused with 422."
        ),
        "schema": {"type": "string", "maxLength": 255},
    },
    {
        "name": "dryRun",
        "in": "query",
        "required": False,
        "description": "true: run every check and answer, as JSON, what would be created.",
        "schema": {"type": "boolean", "default": False},
    },
]


@trigger.post(
    TRIGGER_PATH,
    operation_id="runManualSuccessPlay",
    dependencies=[TRIGGER_SCOPE],
    summary="Run a manual SuccessPlay on an account",
    description=(
        "Totango's trigger API. Answers the text `Success` once the run and everything it "
        "created are committed. Failures answer the bare message as text. Send "
        "`Accept: application/json` for a JSON result and RFC 9457 problem details instead."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": TriggerBody.model_json_schema()}},
        },
        "parameters": _TRIGGER_PARAMETERS,
    },
    responses={
        200: {
            "description": (
                "The play ran; `X-Run-Id` names the run and `Location` its status. A trigger "
                "the play's duplicate policy skipped also answers Success, with `X-Skipped: "
                "true` and the earlier run's id. With dryRun=true: what would be created."
            ),
            # The models as components (FastAPI's "model"), so their nested models' $refs
            # resolve in the document; text/plain is Totango's answer.
            "model": TriggerResult | DryRunResult,
            "content": {"text/plain": text_example("Success")},
        },
        **error_responses(
            400,
            401,
            403,
            413,
            422,
            429,
            500,
            503,
            examples={
                400: [
                    "SuccessPlay not found",
                    "SuccessPlay is not configured as manual",
                    "Account not found",
                    "accountId is required",
                ],
                401: ["Invalid token"],
                403: ["User is not authorized with role: SERVICE_ADMIN"],
            },
        ),
    },
)
async def run_manual_successplay(request: Request) -> Response:
    # As TotangoCompatibleRoute does, and as the declared dependencies would: a valid token
    # (401), the rate limit (429), an application's scope (403), the role (403).
    request.scope.setdefault("state", {})[TEXT_ERRORS] = True
    db = app_state(request).database
    # On its way, the call is waited for by the batch of calls like it (automations/turns.py).
    with turns.of(db).call() as call:
        principal = await counted_principal(request, secret_from_headers(request.headers))
        await TRIGGER_REQUIREMENT(principal)
        require_service_admin(principal)
        payload = await read_json_body(request, expected=BODY_SHAPE)
        trigger = parse_trigger(payload)
        if _dry_run(request):
            call.arrived()
            result = await db.read(
                lambda s: service.dry_run(s, principal, trigger.successplay_id, trigger.account_id)
            )
            return Response(result.model_dump_json(), 200, media_type="application/json")
        key = idempotent_request(request.headers.get(IDEMPOTENCY_KEY), TRIGGER_PATH, payload)
        if key is None:  # with the other calls like it, in one batch
            answer = await call.trigger(principal, trigger)
        else:
            call.arrived()
            answer = await db.write(
                lambda s: service.trigger(s, principal, trigger, RunSource.API, key)
            )
    body = answer.body
    headers = {
        RUN_ID_HEADER: body["runId"],
        "Location": f"/api/v2/automations/runs/{body['runId']}",
    }
    if body.get("skipped"):
        headers[SKIPPED_HEADER] = "true"
    if answer.replayed:
        headers[REPLAYED_HEADER] = "true"
    if wants_json(request.headers):
        return Response(orjson.dumps(body), answer.status_code, headers, "application/json")
    return Response("Success", answer.status_code, headers, "text/plain; charset=utf-8")


def _dry_run(request: Request) -> bool:
    if not request.scope.get("query_string"):  # the usual call: nothing to parse
        return False
    value = request.query_params.get("dryRun", "false").lower()
    if value not in ("true", "false", "1", "0"):
        raise InvalidRequest("dryRun must be true or false", field="dryRun")
    return value in ("true", "1")


@extensions.post(
    "/api/v2/automations/run-manual-successplay/bulk",
    operation_id="runManualSuccessPlayBulk",
    dependencies=[TRIGGER_SCOPE],
    summary="Run a manual SuccessPlay on many accounts",
    description=(
        "Playrunner's extension: up to 10,000 accounts (by id, or by attribute filter) in one "
        "call, counted as one call by the rate limit. The play's checks fail the whole call "
        "with the single call's messages; then one result per account, in the order given: "
        "`success` with its run id, `skipped` (the play's duplicate policy) with the earlier "
        "run's id, or `not_found`. Runs that succeed are committed even when other accounts "
        "are not found; a failure of the database writes nothing. Honours `Idempotency-Key`."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": BulkBody.model_json_schema()}},
        },
        "parameters": _TRIGGER_PARAMETERS[:1],
    },
    responses={
        200: {
            "description": "One result per account",
            "model": BulkRunResult,
        },
        **problem_responses(400, 401, 403, 413, 422, 429, 500, 503),
    },
)
async def run_bulk(request: Request, principal: AdminPrincipal, db: DatabaseDep) -> Response:
    payload = await read_json_body(request)
    bulk = parse_bulk(payload)
    key = idempotent_request(request.headers.get(IDEMPOTENCY_KEY), request.url.path, payload)
    answer = await db.write(lambda s: service.run_bulk(s, principal, bulk, RunSource.API, key))
    headers = {REPLAYED_HEADER: "true"} if answer.replayed else None
    return Response(orjson.dumps(answer.body), answer.status_code, headers, "application/json")


@extensions.get(
    "/api/v2/automations/runs/{run_id}",
    operation_id="getRunStatus",
    dependencies=[require_scope("runs:read")],
    summary="A run and the current status of everything it made",
    description="Where the trigger's `Location` header points.",
    response_model=RunDetail,
    responses=problem_responses(401, 403, 404, 429),
)
async def run_status(principal: AdminPrincipal, run_id: RunId, db: DatabaseDep) -> Response:
    detail = await db.read(lambda s: service.run_status(s, principal, run_id))
    return Response(detail.model_dump_json(), 200, media_type="application/json")


router.include_router(extensions)
