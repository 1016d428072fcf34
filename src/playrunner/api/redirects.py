"""Trailing-slash redirects that never name a host.

Starlette's router answers ``/path/`` with a redirect to ``/path`` (and the reverse) built from
the request's ``Host`` header, which the client chooses: a forged ``Host: evil.example`` got
``Location: http://evil.example/...``. Here the router's own redirect is off and this, its
fallback for paths no route matches, redirects with a relative ``Location`` (the path and
query only), which browsers and HTTP clients resolve against the address they used.
"""

from __future__ import annotations

from starlette.responses import RedirectResponse
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Receive, Scope, Send


class RelativeSlashRedirects:
    def __init__(self, router: Router, fallback: ASGIApp) -> None:
        self.router = router
        self.fallback = fallback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        location = self._other_spelling(scope) if scope["type"] == "http" else None
        if location is None:
            await self.fallback(scope, receive, send)
            return
        response = RedirectResponse("", status_code=307)
        response.headers["location"] = location  # as is: already encoded
        await response(scope, receive, send)

    def _other_spelling(self, scope: Scope) -> str | None:
        """The path with its trailing slash added or removed, if a route takes that one."""
        path: str = scope["path"]
        other = dict(scope, path=path.rstrip("/") if path.endswith("/") else path + "/")
        if other["path"].startswith(("//", "/\\")) or not other["path"].startswith("/"):
            return None  # "/" itself, or a path that would read as another host
        if not any(route.matches(other)[0] is not Match.NONE for route in self.router.routes):
            return None
        # The path as the client sent it, still percent-encoded: an id holding "?", "#" or
        # "%" must stay part of the path.
        raw: str = (scope.get("raw_path") or path.encode()).decode("latin-1")
        raw = raw.rstrip("/") if raw.endswith("/") else raw + "/"
        query = scope.get("query_string", b"").decode("latin-1")
        return raw + (f"?{query}" if query else "")


def install_relative_slash_redirects(router: Router) -> None:
    router.redirect_slashes = False
    router.default = RelativeSlashRedirects(router, router.default)
