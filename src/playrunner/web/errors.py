"""The one place errors become responses: never a stack trace, always a message."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from playrunner.errors import PlayrunnerError, RateLimitExceeded
from playrunner.validation import field_path
from playrunner.web.negotiation import wants_json
from playrunner.web.routes import TEXT_ERRORS

logger = logging.getLogger("playrunner")

PROBLEM_TYPE_PREFIX = "tag:playrunner.dev,2026:problem/"
PROBLEM_JSON = "application/problem+json"


def problem_document(
    request: Request,
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    field: str | None = None,
    errors: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """An RFC 9457 problem; ``type`` is a tag URI (RFC 9457 3.1.1) naming the rule."""
    document: dict[str, Any] = {
        "type": PROBLEM_TYPE_PREFIX + code,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "code": code,
        "request_id": request.scope.get("state", {}).get("request_id"),
    }
    if field is not None:
        document["field"] = field
    if errors:
        document["errors"] = errors
    return document


def render_error(request: Request, exc: PlayrunnerError) -> Response:
    headers = dict(exc.headers)
    if exc.status_code == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="playrunner"'
    text_route = request.scope.get("state", {}).get(TEXT_ERRORS, False)
    if text_route and not wants_json(request.headers):
        if isinstance(exc, RateLimitExceeded):
            # Totango documents this one as a JSON string.
            return Response(orjson.dumps(exc.message), exc.status_code, headers, "application/json")
        return Response(exc.message, exc.status_code, headers, "text/plain; charset=utf-8")
    document = problem_document(
        request,
        status=exc.status_code,
        code=exc.code,
        title=exc.title,
        detail=exc.message,
        field=exc.field,
        errors=exc.errors,
    )
    return Response(orjson.dumps(document), exc.status_code, headers, PROBLEM_JSON)


def install_error_handlers(app: FastAPI) -> None:
    async def on_playrunner_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PlayrunnerError)
        return render_error(request, exc)

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = [
            {
                "field": field_path(tuple(error["loc"])),
                "message": str(error["msg"]).removeprefix("Value error, "),
            }
            for error in exc.errors()
        ]
        summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        document = problem_document(
            request,
            status=400,
            code="invalid_request",
            title="Invalid request",
            detail=f"Invalid request: {summary}",
            field=problems[0]["field"] if problems else None,
            errors=problems,
        )
        return Response(orjson.dumps(document), 400, media_type=PROBLEM_JSON)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        document = problem_document(
            request,
            status=exc.status_code,
            code="http_" + str(exc.status_code),
            title=str(exc.detail),
            detail=f"{request.method} {request.url.path}: {exc.detail}",
        )
        return Response(orjson.dumps(document), exc.status_code, exc.headers, PROBLEM_JSON)

    async def on_database_error(request: Request, exc: Exception) -> Response:
        logger.error("database error on %s %s: %s", request.method, request.url.path, exc)
        transient = isinstance(exc, OperationalError) or (
            isinstance(exc, DBAPIError) and exc.connection_invalidated
        )
        status, code, title, detail = (
            (
                503,
                "database_unavailable",
                "Service unavailable",
                "The database is unavailable or busy; nothing was written. Retry shortly.",
            )
            if transient
            else (
                500,
                "internal_error",
                "Internal error",
                "The request failed inside Playrunner; nothing was written.",
            )
        )
        document = problem_document(request, status=status, code=code, title=title, detail=detail)
        headers = {"Retry-After": "1"} if status == 503 else None
        return Response(orjson.dumps(document), status, headers, PROBLEM_JSON)

    app.add_exception_handler(PlayrunnerError, on_playrunner_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(DBAPIError, on_database_error)


def unexpected_error_body(request_id: str | None, path: str) -> bytes:
    """The 500 answer for a bug: a message and the request id to quote, never the trace."""
    return orjson.dumps(
        {
            "type": PROBLEM_TYPE_PREFIX + "internal_error",
            "title": "Internal error",
            "status": 500,
            "detail": "The request failed inside Playrunner; nothing was written.",
            "instance": path,
            "code": "internal_error",
            "request_id": request_id,
        }
    )
