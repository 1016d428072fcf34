"""Which methods a path answers, for the ``Allow`` header of a 405.

FastAPI makes one route per method, and Starlette's 405 names only the methods of the first
route whose path matched; the header must list every method of every route that serves the
path (RFC 9110 15.5.6), so a client can tell what it may do there.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi.routing import iter_route_contexts
from starlette.requests import Request
from starlette.routing import Match

# The order the methods are listed in: reads first, then writes, as API docs list them.
_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT")


def allowed_methods(request: Request, also: Iterable[str] = ()) -> list[str]:
    """Every method some route serves at the request's path, plus ``also`` (what the app
    that refused said it allows: a mount, such as the static files, knows its own)."""
    allowed = {method.strip().upper() for method in also if method.strip()}
    routes = request.app.router.routes
    for route in iter_route_contexts(routes):
        methods = route.methods
        if not methods:
            continue  # a mount: its app said what it allows (``also``)
        scope = {**request.scope, "path_params": {}}
        match, _ = route.matches(scope)
        if match is not Match.NONE:
            allowed |= set(methods)
    return sorted(allowed, key=lambda m: (_ORDER.index(m) if m in _ORDER else len(_ORDER), m))


def allow_header(methods: list[str]) -> str:
    return ", ".join(methods)
