"""Which methods a path answers: the ``Allow`` header of a 405, and the rule that decides it.

The rule is OpenAPI's (3.1, "Path Templating Matching"): a concrete path is matched before a
templated one. ``/api/v1/accounts/bulk`` is the bulk upsert (POST), not the account "bulk", for
every method, so ``GET /api/v1/accounts/bulk`` is a 405 naming POST, as the document says,
rather than a read of an account the URL cannot tell from the bulk call. (Account ids that such
a path would hide are refused: ``accounts/schemas.py: URL_RESERVED_ACCOUNT_IDS``.) A path that
only templates match is answered by every route whose template fits it.

FastAPI makes one route per method, and Starlette's own 405 names only the methods of the
first route whose path matched; ``Allow`` must list every method the path serves (RFC 9110
15.5.6), so a client can tell what it may do there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from fastapi.routing import iter_route_contexts
from starlette.requests import Request
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

# The order the methods are listed in: reads first, then writes, as API docs list them.
_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT")


def concrete_paths(routes: Sequence[BaseRoute]) -> dict[str, frozenset[str]]:
    """Every path without parameters, and the methods its routes serve."""
    found: dict[str, set[str]] = {}
    for route in iter_route_contexts(routes):
        if route.path is not None and "{" not in route.path and route.methods:
            found.setdefault(route.path, set()).update(route.methods)
    return {path: frozenset(methods) for path, methods in found.items()}


def allowed_methods(request: Request, also: Iterable[str] = ()) -> list[str]:
    """The methods the request's path serves, plus ``also`` (what the app that refused said
    it allows: a mount, such as the static files, knows its own)."""
    allowed = {method.strip().upper() for method in also if method.strip()}
    routes = request.app.router.routes
    concrete = concrete_paths(routes).get(route_path(request.scope))
    if concrete is not None:
        return _ordered(allowed | concrete)
    for route in iter_route_contexts(routes):
        methods = route.methods
        if not methods:
            continue  # a mount: its app said what it allows (``also``)
        match, _ = route.matches({**request.scope, "path_params": {}})
        if match is not Match.NONE:
            allowed |= set(methods)
    return _ordered(allowed)


def route_path(scope: Scope) -> str:
    """The path as routes see it: without the prefix a proxy mounts the service under."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def allow_header(methods: list[str]) -> str:
    return ", ".join(methods)


def _ordered(methods: set[str]) -> list[str]:
    return sorted(methods, key=lambda m: (_ORDER.index(m) if m in _ORDER else len(_ORDER), m))
