"""Route classes that decide how errors look on the routes they serve."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

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
