"""The trigger API's request and JSON response."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from playrunner.errors import InvalidRequest

_FIELDS = ("successplayId", "accountId")
BODY_SHAPE = "a JSON object with successplayId and accountId"


class TriggerBody(BaseModel):
    """Documents the body in OpenAPI; the route parses it with ``parse_trigger`` so that
    the checks run in Totango's order and name the field at fault."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "successplayId": "66b6ea0c-e855-40a1-b875-d4dd96a58638",
                "accountId": "acme-corp",
            }
        }
    )

    successplayId: str = Field(description="The SuccessPlay's id (a UUID)")
    accountId: str = Field(description="The account's id in your service")


class TriggerResult(BaseModel):
    """Sent instead of the text ``Success`` to clients that ask for JSON."""

    status: str = Field(examples=["Success"])
    runId: uuid.UUID
    taskIds: list[uuid.UUID]
    formRequestIds: list[uuid.UUID]


@dataclass(frozen=True, slots=True)
class Trigger:
    successplay_id: str
    account_id: str


def parse_trigger(payload: Any) -> Trigger:
    if not isinstance(payload, dict):
        raise InvalidRequest(f"Request body must be {BODY_SHAPE}", field="body")
    problems = []
    for name in _FIELDS:
        value = payload.get(name)
        if value is None:
            problems.append({"field": name, "message": f"{name} is required"})
        elif not isinstance(value, str):
            problems.append({"field": name, "message": f"{name} must be a string"})
        elif not value.strip():
            problems.append({"field": name, "message": f"{name} must not be empty"})
        elif "\x00" in value:
            problems.append({"field": name, "message": f"{name} must not contain NUL characters"})
    if problems:
        raise InvalidRequest(
            "; ".join(p["message"] for p in problems), field=problems[0]["field"], errors=problems
        )
    return Trigger(successplay_id=payload["successplayId"], account_id=payload["accountId"])


def trigger_result(
    run_id: uuid.UUID, task_ids: list[uuid.UUID], form_request_ids: list[uuid.UUID]
) -> dict[str, Any]:
    """The JSON answer to a successful trigger (the API's, and ``playrunner run --json``'s)."""
    return {
        "status": "Success",
        "runId": str(run_id),
        "taskIds": [str(task_id) for task_id in task_ids],
        "formRequestIds": [str(request_id) for request_id in form_request_ids],
    }
