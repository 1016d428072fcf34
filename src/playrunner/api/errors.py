"""The one place errors become responses: never a stack trace, always a message."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from playrunner.api.methods import allow_header, allowed_methods
from playrunner.api.negotiation import wants_json
from playrunner.api.routes import TEXT_ERRORS
from playrunner.db_failures import describe_failure, lost_a_race
from playrunner.errors import (
    Conflict,
    InternalFailure,
    InvalidRequest,
    PlayrunnerError,
    RateLimitExceeded,
    ServiceUnavailable,
)
from playrunner.ui.errors import (
    SignInRequired,
    error_page,
    render_error_page,
    sign_in_redirect,
)
from playrunner.ui.routes import is_page_request
from playrunner.validation import problems_from

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
    if is_page_request(request):
        return render_error_page(request, exc)
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


def wants_page(request: Request) -> bool:
    """A browser asking for something outside the API (an address typed wrong, say) gets a
    page; API clients keep their problem documents."""
    path = request.url.path
    api = path.startswith(("/api/", "/oauth/", "/.well-known/")) or path in ("/healthz", "/readyz")
    return not api and "text/html" in request.headers.get("accept", "")


def database_failure(request: Request, exc: DBAPIError) -> PlayrunnerError:
    """What to tell the caller when the database refused or failed a request."""
    if isinstance(exc, DataError):
        # A value the database cannot store (a number out of range, say): the caller's.
        reason = describe_failure(exc).partition(": ")[2]
        return InvalidRequest(f"A value in the request cannot be stored: {reason}")
    logger.error(
        "database error on %s %s: %s", request.method, request.url.path, describe_failure(exc)
    )
    if lost_a_race(exc):
        # Still colliding with concurrent writes after every attempt of Database.write.
        return concurrent_change()
    if isinstance(exc, OperationalError) or exc.connection_invalidated:
        return database_unavailable()
    return InternalFailure("The request failed inside Playrunner; nothing was written.")


def concurrent_change() -> Conflict:
    return Conflict("Another request changed the same data at the same time; retry.")


def database_unavailable() -> ServiceUnavailable:
    unavailable = ServiceUnavailable(
        "The database is unavailable or busy; nothing was written. Retry shortly."
    )
    unavailable.headers["Retry-After"] = "1"
    return unavailable


FASTAPI_BODY_PARSE_FAILURE = "There was an error parsing the body"
UNPARSABLE_BODY = "Request body could not be parsed as JSON (is it nested too deeply?)"


def method_not_allowed(request: Request, exc: HTTPException) -> Response:
    """A 405 naming the method and every method the path has, in ``Allow`` and in words."""
    said = (exc.headers or {}).get("Allow", "")
    allowed = allowed_methods(request, also=said.split(","))
    headers = {**(exc.headers or {}), "Allow": allow_header(allowed)}
    detail = (
        f"{request.method} is not allowed on {request.url.path}; it allows"
        f" {', '.join(allowed) or 'no method'}"
    )
    if is_page_request(request) or wants_page(request):
        page = error_page(request, 405, detail)
        page.headers.update(headers)
        return page
    document = problem_document(
        request,
        status=405,
        code="method_not_allowed",
        title="Method not allowed",
        detail=detail,
    )
    return Response(orjson.dumps(document), 405, headers, PROBLEM_JSON)


def install_error_handlers(app: FastAPI) -> None:
    async def on_playrunner_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PlayrunnerError)
        return render_error(request, exc)

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = problems_from(exc.errors())
        summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        if is_page_request(request):
            return error_page(request, 400, f"This address is not one Playrunner knows: {summary}")
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
        if exc.status_code == 405:
            return method_not_allowed(request, exc)
        if is_page_request(request) or wants_page(request):
            return error_page(request, exc.status_code, str(exc.detail))
        if exc.status_code == 400 and exc.detail == FASTAPI_BODY_PARSE_FAILURE:
            # FastAPI's words when its JSON parser fails other than by a syntax error (which
            # is a validation error): in practice, a body nested deeper than Python recurses.
            return render_error(request, InvalidRequest(UNPARSABLE_BODY, field="body"))
        document = problem_document(
            request,
            status=exc.status_code,
            code="http_" + str(exc.status_code),
            title=str(exc.detail),
            detail=f"{request.method} {request.url.path}: {exc.detail}",
        )
        return Response(orjson.dumps(document), exc.status_code, exc.headers, PROBLEM_JSON)

    async def on_database_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DBAPIError)
        return render_error(request, database_failure(request, exc))

    async def on_stale_data(request: Request, exc: Exception) -> Response:
        # An UPDATE or DELETE found its row gone, on every attempt (see on_database_error).
        logger.error("concurrent change on %s %s: %s", request.method, request.url.path, exc)
        conflict = concurrent_change()
        return render_error(request, conflict)

    async def on_pool_timeout(request: Request, exc: Exception) -> Response:
        # Every connection busy for the pool's whole timeout (a database stalling, usually).
        logger.error("no database connection free on %s %s", request.method, request.url.path)
        return render_error(request, database_unavailable())

    async def on_sign_in_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequired)
        return sign_in_redirect(exc)

    app.add_exception_handler(SignInRequired, on_sign_in_required)
    app.add_exception_handler(PlayrunnerError, on_playrunner_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(DBAPIError, on_database_error)
    app.add_exception_handler(StaleDataError, on_stale_data)
    app.add_exception_handler(PoolTimeout, on_pool_timeout)


def _bare_problem(
    request_id: str | None, path: str, status: int, code: str, title: str, detail: str
) -> bytes:
    """A problem document for answers made below FastAPI (in the ASGI middleware)."""
    return orjson.dumps(
        {
            "type": PROBLEM_TYPE_PREFIX + code,
            "title": title,
            "status": status,
            "detail": detail,
            "instance": path.replace("\x00", "\\x00"),
            "code": code,
            "request_id": request_id,
        }
    )


def unexpected_error_body(request_id: str | None, path: str) -> bytes:
    """The 500 answer for a bug: a message and the request id to quote, never the trace."""
    return _bare_problem(
        request_id,
        path,
        500,
        "internal_error",
        "Internal error",
        "The request failed inside Playrunner; nothing was written.",
    )


def nul_in_url_body(request_id: str | None, path: str) -> bytes:
    return _bare_problem(
        request_id,
        path,
        400,
        "invalid_request",
        "Invalid request",
        "The URL must not contain NUL characters (%00)",
    )
