"""Route classes: how errors look on the routes they serve, and the direct route of the
hottest calls."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

TEXT_ERRORS = "playrunner_text_errors"


class TotangoCompatibleRoute(APIRoute):
    """Errors on these routes are the bare message as text, as Totango sends them, unless
    the client asks for JSON. Everything else answers RFC 9457 problem details."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            request.scope.setdefault("state", {})[TEXT_ERRORS] = True
            return await handler(request)

        return handle


class DirectRoute(APIRoute):
    """A route whose requests go straight to its endpoint, ``await endpoint(request)``: no
    dependencies solved, no parameters or body read by FastAPI. For the hottest calls (the
    trigger, receiving an event: issue 16), where FastAPI's per-request work cost more than
    the call's own; the app puts these routes at the head of its list (routes are tried in
    order). The endpoint makes its checks itself, with the same functions the dependencies
    use, in the same order. Its ``dependencies`` are declarations only, never run: what the
    OpenAPI document and the scope catalogue show. Errors are raised as everywhere else and
    answered by the app's handlers."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.methods and scope["method"] not in self.methods:
            await super().handle(scope, receive, send)  # its 405, as every route's
            return
        response: Response = await self.endpoint(Request(scope, receive, send))
        await response(scope, receive, send)
