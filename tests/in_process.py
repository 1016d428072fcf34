"""The app served in the test's process without a socket: the fast lane for tests that are
about Playrunner's behaviour rather than HTTP's.

Requests go straight to the ASGI app through httpx's ``ASGITransport``, on one event loop
kept in a thread for the whole test (as a server keeps one; SQLite's group commit lives on
it), with the app's startup and shutdown run around it. Tests call it with an ordinary
``httpx.Client``.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, ExitStack
from types import TracebackType
from typing import Any

import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal
from fastapi import FastAPI

BASE_URL = "http://127.0.0.1"  # loopback: OAuth allows http only there


class InProcessApp:
    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self._stack = ExitStack()
        self._asgi = httpx.ASGITransport(app=app, client=("127.0.0.1", 12345))

    def __enter__(self) -> InProcessApp:
        self.portal: BlockingPortal = self._stack.enter_context(start_blocking_portal())
        lifespan: AbstractContextManager[Any] = self.portal.wrap_async_context_manager(
            self.app.router.lifespan_context(self.app)
        )
        self._stack.enter_context(lifespan)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stack.close()

    def client(self, headers: dict[str, str] | None = None) -> httpx.Client:
        return httpx.Client(
            transport=_Transport(self.portal, self._asgi), base_url=BASE_URL, headers=headers
        )


class _Transport(httpx.BaseTransport):
    """A synchronous transport over the async ASGI one, through the portal's event loop."""

    def __init__(self, portal: BlockingPortal, asgi: httpx.ASGITransport) -> None:
        self._portal = portal
        self._asgi = asgi

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        content = request.read()

        async def send() -> tuple[int, httpx.Headers, bytes]:
            forwarded = httpx.Request(
                request.method, request.url, headers=request.headers, content=content
            )
            response = await self._asgi.handle_async_request(forwarded)
            body = b"".join([chunk async for chunk in response.stream])  # type: ignore[union-attr]
            return response.status_code, response.headers, body

        status, headers, body = self._portal.call(send)
        return httpx.Response(status, headers=headers, content=body, request=request)
