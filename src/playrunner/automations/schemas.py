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
    runId: uuid.UUID = Field(
        description="The run; for a skipped trigger, the earlier run whose items are open"
    )
    taskIds: list[uuid.UUID]
    formRequestIds: list[uuid.UUID]
    skipped: bool = Field(
        default=False, description="The play's duplicate policy skipped this trigger"
    )


class DryRunTask(BaseModel):
    title: str
    description: str
    assignee: str = Field(description="Email of who would get it")
    dueDate: str
    priority: int
    flow: str | None
    touchpointRequired: bool
    fallback: str | None = Field(description="Why it would not go where its rule says")


class DryRunFormRequest(BaseModel):
    form: str
    assignee: str
    dueDate: str
    instructions: str
    fallback: str | None


class DryRunAccount(BaseModel):
    accountId: str
    name: str
    requestedAccountId: str = Field(description="Differs when the play acts on the parent")


class DryRunResult(BaseModel):
    """What a trigger would do, with every check run and nothing written."""

    status: str = Field(examples=["DryRun"])
    successplayId: uuid.UUID
    account: DryRunAccount
    tasks: list[DryRunTask]
    formRequests: list[DryRunFormRequest]
    wouldSkip: bool = Field(description="The duplicate policy would skip it")
    openRunId: uuid.UUID | None = Field(description="When skipped: the run whose items are open")


class BulkBody(BaseModel):
    """Documents the bulk body in OpenAPI; parsed by ``parse_bulk``."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "successplayId": "66b6ea0c-e855-40a1-b875-d4dd96a58638",
                "accountIds": ["acme-corp", "globex"],
            }
        }
    )

    successplayId: str
    accountIds: list[str] | None = Field(default=None, description="Up to 10,000 account ids")
    filter: dict[str, Any] | None = Field(
        default=None,
        description='Instead of accountIds: {"attributes": {"segment": "SMB"}} (at most 10,000)',
    )


class BulkItem(BaseModel):
    accountId: str
    status: str = Field(examples=["success", "skipped", "not_found"])
    runId: uuid.UUID | None = None
    message: str | None = Field(default=None, examples=["Account not found"])


class BulkRunResult(BaseModel):
    successplayId: uuid.UUID
    succeeded: int
    skipped: int
    failed: int
    results: list[BulkItem]


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
    run_id: uuid.UUID,
    task_ids: list[uuid.UUID],
    form_request_ids: list[uuid.UUID],
    *,
    skipped: bool = False,
) -> dict[str, Any]:
    """The JSON answer to a successful trigger (the API's, and ``playrunner run --json``'s)."""
    return {
        "status": "Success",
        "runId": str(run_id),
        "taskIds": [str(task_id) for task_id in task_ids],
        "formRequestIds": [str(request_id) for request_id in form_request_ids],
        "skipped": skipped,
    }


MAX_BULK = 10_000


@dataclass(frozen=True, slots=True)
class BulkTrigger:
    successplay_id: str
    account_ids: list[str] | None
    attributes: dict[str, str] | None


def parse_bulk(payload: Any) -> BulkTrigger:
    shape = "a JSON object with successplayId and accountIds (or filter)"
    if not isinstance(payload, dict):
        raise InvalidRequest(f"Request body must be {shape}", field="body")
    unknown = sorted(set(payload) - {"successplayId", "accountIds", "filter"})
    if unknown:
        raise InvalidRequest(f"Unknown field {unknown[0]!r}; send {shape}", field=unknown[0])
    play = payload.get("successplayId")
    if not isinstance(play, str) or not play.strip() or "\x00" in play:
        raise InvalidRequest("successplayId must be a non-empty string", field="successplayId")
    ids, criteria = payload.get("accountIds"), payload.get("filter")
    if (ids is None) == (criteria is None):
        raise InvalidRequest("Send either accountIds or filter", field="accountIds")
    if ids is not None:
        if not isinstance(ids, list) or not all(
            isinstance(i, str) and i.strip() and "\x00" not in i for i in ids
        ):
            raise InvalidRequest(
                "accountIds must be a list of non-empty strings", field="accountIds"
            )
        if not 1 <= len(ids) <= MAX_BULK:
            raise InvalidRequest(f"accountIds must hold 1 to {MAX_BULK:,} ids", field="accountIds")
        return BulkTrigger(play, ids, None)
    attributes = criteria.get("attributes") if isinstance(criteria, dict) else None
    if (
        not isinstance(criteria, dict)
        or set(criteria) != {"attributes"}
        or not isinstance(attributes, dict)
        or not attributes
        or not all(
            isinstance(v, str | int | float | bool) and "\x00" not in str(v)
            for v in attributes.values()
        )
    ):
        raise InvalidRequest(
            'filter must look like {"attributes": {"segment": "SMB"}}', field="filter"
        )
    return BulkTrigger(play, None, {name: _text(value) for name, value in attributes.items()})


def _text(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
