"""Helpers that declare error responses in OpenAPI the same way on every route."""

from __future__ import annotations

from typing import Any

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

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "The exact message"},
        "instance": {"type": "string"},
        "code": {"type": "string"},
        "request_id": {"type": "string"},
        "field": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
}


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
