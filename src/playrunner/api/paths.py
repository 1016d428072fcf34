"""Path parameters that name Playrunner's own records, declared once. Each is parsed by
``playrunner.ids.parse_id``: on every route, an id that cannot be one is that record "not
found", in the same words as an unknown one."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends, Path

from playrunner.ids import parse_id


def _uuid_path(description: str) -> Any:
    return Path(description=description, json_schema_extra={"format": "uuid"})


def _play_id(play_id: Annotated[str, _uuid_path("The SuccessPlay's id")]) -> uuid.UUID:
    return parse_id(play_id, "SuccessPlay", "play_id")


def _run_id(run_id: Annotated[str, _uuid_path("The run's id")]) -> uuid.UUID:
    return parse_id(run_id, "Run", "run_id")


def _task_id(task_id: Annotated[str, _uuid_path("The task's id")]) -> uuid.UUID:
    return parse_id(task_id, "Task", "task_id")


def _form_id(form_id: Annotated[str, _uuid_path("The form's id")]) -> uuid.UUID:
    return parse_id(form_id, "Form", "form")


def _request_id(request_id: Annotated[str, _uuid_path("The form request's id")]) -> uuid.UUID:
    return parse_id(request_id, "Form request", "form_request_id")


def _token_id(token_id: Annotated[str, _uuid_path("The token's id")]) -> uuid.UUID:
    return parse_id(token_id, "Token", "token_id")


def _app_id(app_id: Annotated[str, _uuid_path("The application's id")]) -> uuid.UUID:
    return parse_id(app_id, "OAuth application", "app_id")


def _endpoint_id(endpoint_id: Annotated[str, _uuid_path("The webhook endpoint's id")]) -> uuid.UUID:
    return parse_id(endpoint_id, "Webhook endpoint", "endpoint_id")


def _source_id(source_id: Annotated[str, _uuid_path("The event source's id")]) -> uuid.UUID:
    return parse_id(source_id, "Event source", "source_id")


def _rule_id(rule_id: Annotated[str, _uuid_path("The rule's id")]) -> uuid.UUID:
    return parse_id(rule_id, "Rule", "rule_id")


def _delivery_id(delivery_id: Annotated[str, _uuid_path("The delivery's id")]) -> uuid.UUID:
    return parse_id(delivery_id, "Webhook delivery", "delivery_id")


PlayId = Annotated[uuid.UUID, Depends(_play_id)]
RunId = Annotated[uuid.UUID, Depends(_run_id)]
TaskId = Annotated[uuid.UUID, Depends(_task_id)]
FormId = Annotated[uuid.UUID, Depends(_form_id)]
FormRequestId = Annotated[uuid.UUID, Depends(_request_id)]
TokenId = Annotated[uuid.UUID, Depends(_token_id)]
AppId = Annotated[uuid.UUID, Depends(_app_id)]
EndpointId = Annotated[uuid.UUID, Depends(_endpoint_id)]
DeliveryId = Annotated[uuid.UUID, Depends(_delivery_id)]
SourceId = Annotated[uuid.UUID, Depends(_source_id)]
RuleId = Annotated[uuid.UUID, Depends(_rule_id)]
