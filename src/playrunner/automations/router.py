"""``POST /api/v2/automations/run-manual-successplay``, byte for byte as Totango documents it."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from playrunner.auth.dependencies import AdminPrincipal
from playrunner.automations import service
from playrunner.automations.schemas import (
    BODY_SHAPE,
    TriggerBody,
    TriggerResult,
    parse_trigger,
    trigger_result,
)
from playrunner.models import RunSource
from playrunner.web.bodies import read_json_body
from playrunner.web.negotiation import wants_json
from playrunner.web.openapi import error_responses, text_example
from playrunner.web.routes import TotangoCompatibleRoute
from playrunner.web.state import app_state

RUN_ID_HEADER = "X-Run-Id"

router = APIRouter(route_class=TotangoCompatibleRoute, tags=["Automations (Totango-compatible)"])


@router.post(
    "/api/v2/automations/run-manual-successplay",
    operation_id="runManualSuccessPlay",
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
        }
    },
    responses={
        200: {
            "description": "The play ran; the `X-Run-Id` header names the run.",
            "content": {
                "text/plain": text_example("Success"),
                "application/json": {"schema": TriggerResult.model_json_schema()},
            },
        },
        **error_responses(
            400,
            401,
            403,
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
async def run_manual_successplay(request: Request, principal: AdminPrincipal) -> Response:
    trigger = parse_trigger(await read_json_body(request, expected=BODY_SHAPE))
    outcome = await app_state(request).database.write(
        lambda session: service.run_manual_successplay(
            session, principal, trigger.successplay_id, trigger.account_id, RunSource.API
        )
    )
    headers = {RUN_ID_HEADER: str(outcome.run.id)}
    if wants_json(request.headers):
        result = trigger_result(
            outcome.run.id,
            [task.id for task in outcome.tasks],
            [item.id for item in outcome.form_requests],
        )
        return Response(orjson.dumps(result), 200, headers, "application/json")
    return Response("Success", 200, headers, "text/plain; charset=utf-8")
