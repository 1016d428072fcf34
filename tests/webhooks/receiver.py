"""A webhook receiver for tests: a real HTTP server on a loopback port that records what it
is sent and answers as the test says (fail a few times, hang, redirect)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from types import TracebackType

from tests.loopback_http import LoopbackHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: str


class Receiver:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.statuses: list[int] = []  # answers to give, in order; 200 once used up
        self.hold = threading.Event()  # set: requests wait on ``release`` first
        self.release = threading.Event()
        self._lock = threading.Lock()
        self._server = LoopbackHTTPServer(self._handle)
        self.url = self._server.url + "/hooks"

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("content-length", 0))
        body = request.rfile.read(length).decode()
        with self._lock:
            headers = {k.lower(): v for k, v in request.headers.items()}
            self.received.append(Received(request.path, headers, body))
            status = self.statuses.pop(0) if self.statuses else 200
        if self.hold.is_set():
            self.release.wait(30)
        request.send_response(status)
        if status in (301, 302, 307):
            request.send_header("Location", "http://127.0.0.1:9/elsewhere")
        request.send_header("Content-Length", "0")
        request.end_headers()

    def __enter__(self) -> Receiver:
        self._server.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release.set()
        self._server.__exit__(exc_type, exc, tb)

    def wait_for(
        self, done: Callable[[list[Received]], bool], timeout: float = 30
    ) -> list[Received]:
        """What was received once ``done`` says it is enough (fails after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                seen = list(self.received)
            if done(seen):
                return seen
            time.sleep(0.05)
        last = seen[-1].body[:200] if seen else "none"
        raise AssertionError(f"the receiver got only {len(seen)} requests (the last: {last})")
