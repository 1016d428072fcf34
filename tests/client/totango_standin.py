"""A stand-in for Totango's trigger API on a loopback port, answering exactly as Totango
documents it (../shared/seed and reference/totango-notes.md): the token in ``app-token``,
``Success`` or the bare failure message as text, 100 calls a minute per token with
``RateLimit-Remaining`` on every call, and ``429`` with ``RateLimit-Limit``,
``RateLimit-Remaining``, ``RateLimit-Reset``, ``Retry-After: 60`` and the JSON string
``"Too many requests"``. Totango does not document status codes for validation failures;
the stand-in uses 400 (as Totango's Tasks API does for "Account not found") unless told
otherwise, and ``401 Unauthorized`` for a bad token.

It keeps time by ``clock`` (a ``FakeTime``), so tests move its rate-limit window without
sleeping, and it records every request so tests can check what the client sent.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from types import TracebackType

from tests.loopback_http import LoopbackHTTPServer

TRIGGER_PATH = "/api/v2/automations/run-manual-successplay"
NOT_ADMIN = "User is not authorized with role: SERVICE_ADMIN"


class FakeTime:
    """A clock that only moves when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class TotangoStandIn:
    clock: Callable[[], float]
    admin_tokens: set[str] = field(default_factory=lambda: {"admin-token"})
    user_tokens: set[str] = field(default_factory=lambda: {"user-token"})
    # play id -> "manual", "event" (not manual) or "inactive"
    plays: dict[str, str] = field(default_factory=dict)
    accounts: set[str] = field(default_factory=set)
    limit: int = 100
    failure_status: int = 400
    # After this many requests, further ones are held until ``release`` and then dropped.
    hold_after: int | None = None
    # The next N requests are dropped without an answer (a broken connection).
    drop_next: int = 0
    requests: list[Recorded] = field(default_factory=list)
    runs: list[tuple[str, str]] = field(default_factory=list)
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    _windows: dict[str, tuple[float, int]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._server = LoopbackHTTPServer(self._handle)
        self.url = self._server.url

    def __enter__(self) -> TotangoStandIn:
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

    def runs_on(self, account: str) -> int:
        return sum(1 for _, ran_on in self.runs if ran_on == account)

    # The API -----------------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("content-length") or 0)
        body = request.rfile.read(length)
        with self._lock:
            self.requests.append(
                Recorded(
                    "POST",
                    request.path,
                    {name.lower(): value for name, value in request.headers.items()},
                    body,
                )
            )
            count = len(self.requests)
            drop = self.drop_next > 0
            self.drop_next -= drop
        if self.hold_after is not None and count > self.hold_after:
            self.held.set()
            self.release.wait(timeout=30)
            drop = True
        if drop:
            request.close_connection = True
            return
        status, headers, text = self._answer(request.path, request.headers.get("app-token"), body)
        payload = text.encode()
        request.send_response(status)
        for name, value in headers.items():
            request.send_header(name, value)
        request.send_header("Content-Length", str(len(payload)))
        request.end_headers()
        request.wfile.write(payload)

    def _answer(self, path: str, token: str | None, body: bytes) -> tuple[int, dict[str, str], str]:
        text = {"Content-Type": "text/plain; charset=utf-8"}
        if path != TRIGGER_PATH:
            return 404, text, "Not Found"
        if token not in self.admin_tokens | self.user_tokens:
            return 401, text, "Unauthorized"
        allowed, remaining, reset = self._count(token)
        limits = {"RateLimit-Remaining": str(remaining)}
        if not allowed:
            return (
                429,
                {
                    "Content-Type": "application/json",
                    "RateLimit-Limit": str(self.limit),
                    "RateLimit-Remaining": "0",
                    "RateLimit-Reset": str(reset),
                    "Retry-After": "60",
                },
                json.dumps("Too many requests"),
            )
        headers = {**text, **limits}
        if token not in self.admin_tokens:
            return self.failure_status, headers, NOT_ADMIN
        try:
            payload = json.loads(body)
            play, account = payload["successplayId"], payload["accountId"]
        except (ValueError, KeyError, TypeError):
            return 400, headers, "Bad Request"
        kind = self.plays.get(play)
        if kind in (None, "inactive"):
            return self.failure_status, headers, "SuccessPlay not found"
        if kind != "manual":
            return self.failure_status, headers, "SuccessPlay is not configured as manual"
        if account not in self.accounts:
            return self.failure_status, headers, "Account not found"
        with self._lock:
            self.runs.append((play, account))
        return 200, headers, "Success"

    def _count(self, token: str) -> tuple[bool, int, int]:
        """A fixed window per token, opened by its first call: (allowed, remaining, reset)."""
        now = self.clock()
        with self._lock:
            start, used = self._windows.get(token, (now, 0))
            if now - start >= 60:
                start, used = now, 0
            reset = max(1, math.ceil(start + 60 - now))
            if used >= self.limit:
                return False, 0, reset
            self._windows[token] = (start, used + 1)
            return True, self.limit - used - 1, reset
