"""Around every request: the request id and rate-limit headers every response carries, the
body's size and time limits, and the client's address behind a trusted proxy.

Plain ASGI middlewares (not Starlette's BaseHTTPMiddleware) so that they cost next to
nothing and see responses made by exception handlers too.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import uuid
from typing import Any

from granian.utils.proxies import wrap_asgi_with_proxy_headers
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


class ForwardedHeaders:
    """``X-Forwarded-For`` and ``X-Forwarded-Proto`` from the proxies in ``trusted`` (comma-
    separated addresses, or ``*``) become the request's client address and scheme; from
    anyone else they are ignored. Granian's implementation, as a middleware class.

    A request without ``X-Forwarded-For`` goes straight on: Granian's rewrite changes nothing
    then (it takes the scheme only with an address), yet it would parse the peer's address to
    decide whether to trust it, on every request (about 5 µs of each: issue 16)."""

    def __init__(self, app: ASGIApp, trusted: str) -> None:
        self.inner = app
        self.app = wrap_asgi_with_proxy_headers(app, trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        for name, _ in scope.get("headers", ()):
            if name == b"x-forwarded-for":
                await self.app(scope, receive, send)
                return
        await self.inner(scope, receive, send)


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int, body_timeout_seconds: float) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.body_timeout_seconds = body_timeout_seconds
        # Paths without parameters and their methods, read from the app's routes at the
        # first request (they are all added by then).
        self._concrete: dict[str, frozenset[str]] | None = None
        self._deadlines = BodyDeadlines()

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

        receive_within_limit = LimitedBody(
            receive,
            _content_length(scope),
            self.max_body_bytes,
            self.body_timeout_seconds,
            self._deadlines,
        )

        try:
            await self.app(scope, receive_within_limit, send_tracking)
        except ClientDisconnect:
            # The client went away before sending its whole request: nobody to answer, and
            # nothing was written (the body is read before any unit of work starts).
            logger.debug("client disconnected during %s %s", scope["method"], scope["path"])
        except Exception:
            logger.exception(
                "unhandled error on %s %s (request %s)",
                scope["method"],
                scope["path"],
                state["request_id"],
            )
            if started:
                raise
            if state.get(HTML_ERRORS):
                body = unexpected_error_page(state["request_id"])
                await _answer(send_with_headers, 500, body, "text/html; charset=utf-8")
                return
            await _answer_problem(
                send_with_headers, 500, unexpected_error_body(state["request_id"], scope["path"])
            )


class RequestsInFlight:
    """How many HTTP requests the process is answering (counted by ``CountRequests``): the
    outbox workers in a serving process yield to them (``outbox/workers.py``), waiting on
    ``idle`` (an event set while none is in flight) rather than polling the count: a thread
    woken every few milliseconds takes the interpreter's lock from the requests it waits
    for."""

    def __init__(self) -> None:
        self.count = 0
        self.arrivals = 0  # requests started since the process began
        self.idle = threading.Event()
        self.idle.set()

    def started(self) -> None:
        self.count += 1
        self.arrivals += 1
        if self.count == 1:
            self.idle.clear()

    def finished(self) -> None:
        self.count -= 1
        if self.count == 0:
            self.idle.set()


class CountRequests:
    def __init__(self, app: ASGIApp, counter: RequestsInFlight) -> None:
        self.app = app
        self.counter = counter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.counter.started()
        try:
            await self.app(scope, receive, send)
        finally:
            self.counter.finished()


class BodyDeadlines:
    """The deadlines of the request bodies being read, checked by one timer per event loop
    every ``CHECK_SECONDS`` instead of a timer for every read: ``asyncio.timeout_at`` around
    each read cost about 40 µs of every trigger call (issue 16, docs/performance.md), for a
    limit that almost never fires. A body late past its deadline has its request's task
    cancelled, which ``LimitedBody`` answers with 408, at most ``CHECK_SECONDS`` late."""

    CHECK_SECONDS = 0.25

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reading: dict[asyncio.Task[Any], float] = {}
        self._expired: set[asyncio.Task[Any]] = set()
        self._timer: asyncio.TimerHandle | None = None

    def watch(self, task: asyncio.Task[Any], deadline: float) -> None:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new loop (tests run several): nothing carries over
            if self._timer is not None:
                self._timer.cancel()
            self._loop, self._timer = loop, None
            self._reading.clear()
            self._expired.clear()
        self._reading[task] = deadline
        if self._timer is None:
            self._timer = loop.call_later(self.CHECK_SECONDS, self._check)

    def unwatch(self, task: asyncio.Task[Any]) -> None:
        self._reading.pop(task, None)

    def expired(self, task: asyncio.Task[Any]) -> bool:
        """Whether ``task`` was cancelled here, its body late (once: the answer is taken)."""
        if task in self._expired:
            self._expired.discard(task)
            return True
        return False

    def _check(self) -> None:
        self._timer = None
        if self._loop is None:
            return
        now = self._loop.time()
        for task, deadline in list(self._reading.items()):
            if deadline <= now:
                del self._reading[task]
                self._expired.add(task)
                task.cancel()
        if self._reading:
            self._timer = self._loop.call_later(self.CHECK_SECONDS, self._check)


class LimitedBody:
    """A request's ``receive``, refusing a body larger than ``limit`` bytes (413) or not sent
    within ``timeout`` seconds (408). Raised where the body is read, as the HTTPException
    FastAPI lets through its body parsing, so the usual handler answers with a problem."""

    def __init__(
        self,
        receive: Receive,
        declared: int | None,
        limit: int,
        timeout: float,
        deadlines: BodyDeadlines,
    ):
        self._receive = receive
        self._declared = declared
        self._limit = limit
        self._timeout = timeout
        self._deadline = asyncio.get_running_loop().time() + timeout
        self._deadlines = deadlines
        self._received = 0
        self._done = False

    async def __call__(self) -> Message:
        if self._done:  # after the body, receive() waits for a disconnect: no limit
            return await self._receive()
        if self._declared is not None and self._declared > self._limit:
            raise HTTPException(413, f"Request body is larger than {self._limit} bytes")
        deadlines, task = self._deadlines, asyncio.current_task()
        if task is None:  # not run by a task: nothing to cancel (never so under a server)
            message = await self._receive()
        else:
            deadlines.watch(task, self._deadline)
            try:
                message = await self._receive()
            except asyncio.CancelledError:
                # Cancelled by someone else (the client gone, the server stopping), alone or
                # as well as by the deadline: stay cancelled.
                if not deadlines.expired(task) or task.uncancel() > 0:
                    raise
                raise HTTPException(
                    408, f"Request body was not sent within {self._timeout:g} seconds"
                ) from None
            finally:
                deadlines.unwatch(task)
        self._received += len(message.get("body", b""))
        if self._received > self._limit:
            raise HTTPException(413, f"Request body is larger than {self._limit} bytes")
        self._done = message["type"] != "http.request" or not message.get("more_body")
        return message


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
