"""Headers every response carries: the request id, and the caller's rate-limit state.

A plain ASGI middleware (not Starlette's BaseHTTPMiddleware) so that it costs next to
nothing and sees responses made by exception handlers too.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from playrunner.api.errors import (
    PROBLEM_JSON,
    method_not_allowed,
    nul_in_url_body,
    unexpected_error_body,
)
from playrunner.api.methods import concrete_paths, route_path
from playrunner.ui.errors import unexpected_error_page
from playrunner.ui.routes import HTML_ERRORS

logger = logging.getLogger("playrunner")

REQUEST_ID_HEADER = "x-request-id"
_VALID_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._:-]{1,128}$")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        # Paths without parameters and their methods, read from the app's routes at the
        # first request (they are all added by then).
        self._concrete: dict[str, frozenset[str]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex.encode()
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id.decode()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), request_id))
                # Set by authentication once the caller's token has been counted.
                headers.extend(state.get("ratelimit_headers", ()))
                message["headers"] = headers
            await send(message)

        if "\x00" in scope["path"]:
            # No identifier holds a NUL, and PostgreSQL cannot even compare one. (Query
            # parameters are checked, with their names, where they are declared.)
            await _answer_problem(
                send_with_headers, 400, nul_in_url_body(state["request_id"], scope["path"])
            )
            return
        if self._concrete is None:
            self._concrete = concrete_paths(scope["app"].router.routes)
        served = self._concrete.get(route_path(scope))
        if served is not None and scope["method"] not in served:
            # A concrete path decides its methods before any template can (api/methods.py):
            # GET /api/v1/accounts/bulk is not a read of the account "bulk".
            response = method_not_allowed(Request(scope), HTTPException(405))
            await response(scope, receive, send_with_headers)
            return
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send_with_headers(message)

        limit = self.max_body_bytes
        declared = _content_length(scope)
        received = 0

        async def receive_within_limit() -> Message:
            # Raised where the body is read, as the HTTPException FastAPI lets through its
            # body parsing, so the usual handler answers it with a problem document.
            nonlocal received
            if declared is not None and declared > limit:
                raise HTTPException(413, f"Request body is larger than {limit} bytes")
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise HTTPException(413, f"Request body is larger than {limit} bytes")
            return message

        try:
            await self.app(scope, receive_within_limit, send_tracking)
        except ClientDisconnect:
            # The client went away before sending its whole request: nobody to answer, and
            # nothing was written (the body is read before any unit of work starts).
            logger.debug("client disconnected during %s %s", scope["method"], scope["path"])
        except Exception:
            logger.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if started:
                raise
            if state.get(HTML_ERRORS):
                body = unexpected_error_page(state["request_id"])
                await _answer(send_with_headers, 500, body, "text/html; charset=utf-8")
                return
            await _answer_problem(
                send_with_headers, 500, unexpected_error_body(state["request_id"], scope["path"])
            )


async def _answer_problem(send: Send, status: int, body: bytes) -> None:
    await _answer(send, status, body, PROBLEM_JSON)


async def _answer(send: Send, status: int, body: bytes, content_type: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", content_type.encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _incoming_request_id(scope: Scope) -> bytes | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            return value if _VALID_REQUEST_ID.match(value) else None
    return None
