"""The route class of every page: a failure on it is an HTML page, never a JSON document."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

HTML_ERRORS = "playrunner_html_errors"


class PageRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            request.scope.setdefault("state", {})[HTML_ERRORS] = True
            return await handler(request)

        return handle


def pages_router() -> APIRouter:
    """A router for a feature's pages: HTML errors, and not part of the API's OpenAPI."""
    return APIRouter(route_class=PageRoute, include_in_schema=False)


def is_page_request(request: Request) -> bool:
    return bool(request.scope.get("state", {}).get(HTML_ERRORS, False))
