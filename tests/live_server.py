"""A real uvicorn server on a loopback port, in a thread of the test process.

The listening socket is bound before the server starts, so the port is known and a
client may connect at once (the kernel queues it): no polling, no sleeping. Being in the
test process, time-machine moves the server's clock too.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from types import TracebackType

import uvicorn
from fastapi import FastAPI


class LiveServer:
    def __init__(self, app: FastAPI | Callable[[int], FastAPI]) -> None:
        """``app``, or a function making the app for the port the server listens on."""
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(128)
        port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        if not isinstance(app, FastAPI):
            app = app(port)
        # The app reads forwarded headers itself (api/middleware.py), as under Granian.
        config = uvicorn.Config(
            app, log_level="warning", access_log=False, lifespan="on", proxy_headers=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()
