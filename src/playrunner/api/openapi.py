"""Helpers that declare error responses in OpenAPI the same way on every route."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field
from pydantic.json_schema import models_json_schema

_DESCRIPTIONS = {
    400: "Invalid request, or one of the documented validation failures",
    401: "Missing, unknown, expired or revoked token, or a deactivated user",
    403: "The caller lacks the role (or the application's token the scope) this needs",
    404: "Not found in the caller's service",
    409: "Conflicts with the current state",
    422: "The Idempotency-Key was already used with a different request",
    413: "The request body is larger than PLAYRUNNER_MAX_BODY_BYTES",
    429: "Over the token's rate limit; see Retry-After and RateLimit-Reset",
    500: "A fault inside Playrunner; nothing was written",
    503: "The database is unavailable; nothing was written",
}


class ProblemItem(BaseModel):
    """One failed rule of a request."""

    field: str = Field(description="Where: body.<field>, query.<name>, path.<name>, ...")
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details: how every error of Playrunner's own API is answered."""

    type: str = Field(
        description="A tag URI naming the rule (RFC 9457 3.1.1)",
        examples=["tag:playrunner.dev,2026:problem/not_found"],
    )
    title: str
    status: int
    detail: str = Field(description="The exact message")
    instance: str = Field(description="The path that was called")
    code: str = Field(description="The rule, as a stable name", examples=["not_found"])
    request_id: str | None = Field(description="Quote it to find the call in the server's log")
    field: str | None = Field(default=None, description="The part of the request at fault")
    errors: list[ProblemItem] | None = Field(default=None, description="Each failed rule")


def component_ref(model: type[BaseModel]) -> dict[str, Any]:
    """A reference to ``model``'s schema, which ``with_components`` must be given."""
    return {"$ref": REF_TEMPLATE.format(model=model.__name__)}


REF_TEMPLATE = "#/components/schemas/{model}"
PROBLEM_SCHEMA: dict[str, Any] = component_ref(Problem)
"""Every problem response refers to the one component, rather than a copy of it each."""


def with_components(schema: dict[str, Any], models: Sequence[type[BaseModel]]) -> dict[str, Any]:
    """Put models that responses and bodies refer to by hand (``component_ref``), and what
    they refer to, among the document's components."""
    _, definitions = models_json_schema(
        [(model, "validation") for model in models], ref_template=REF_TEMPLATE
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, definition in definitions.get("$defs", {}).items():
        components.setdefault(name, definition)
    return schema


def text_example(text: str) -> dict[str, Any]:
    return {"schema": {"type": "string"}, "example": text}


def error_responses(
    *statuses: int, examples: dict[int, list[str]] | None = None
) -> dict[int | str, dict[str, Any]]:
    examples = examples or {}
    responses: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        content: dict[str, Any] = {"application/problem+json": {"schema": PROBLEM_SCHEMA}}
        if status == 429:
            content["application/json"] = {
                "schema": {"type": "string"},
                "example": "Too many requests",
            }
        else:
            messages = examples.get(status, [])
            content["text/plain"] = {
                "schema": {"type": "string"},
                "examples": {f"e{i}": {"value": m} for i, m in enumerate(messages)},
            }
        responses[status] = {"description": _DESCRIPTIONS[status], "content": content}
    return responses


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Error responses of the management API: always RFC 9457 problem details."""
    return {
        status: {
            "description": _DESCRIPTIONS[status],
            "content": {"application/problem+json": {"schema": PROBLEM_SCHEMA}},
        }
        for status in statuses
    }


def without_validation_422(schema: dict[str, Any]) -> dict[str, Any]:
    """FastAPI declares a 422 on every operation that takes input; Playrunner answers bad
    input with a 400 problem document instead, which each route declares."""
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            responses = operation.get("responses", {}) if isinstance(operation, dict) else {}
            if responses.get("422", {}).get("description") == "Validation Error":
                responses.pop("422")
    for name in ("HTTPValidationError", "ValidationError"):
        schema.get("components", {}).get("schemas", {}).pop(name, None)
    return schema


READ_ERRORS = problem_responses(400, 401, 403, 404, 429)
"""What a management API read may answer besides 200 (403: a scope an app's token lacks)."""
WRITE_ERRORS = problem_responses(400, 401, 403, 404, 409, 429)
"""What a management API write may answer besides success."""
