"""Where the client sends calls, which API it expects there, and how it retries and paces."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

Flavor = Literal["playrunner", "totango"]

REGIONS: dict[str, str] = {
    "us": "https://api.totango.com",
    "eu": "https://api-eu1.totango.com",
}
_TOTANGO_HOSTS = frozenset(urlsplit(url).hostname for url in REGIONS.values())


def resolve_base_url(base_url: str) -> str:
    """``us`` and ``eu`` are Totango's hosts; anything else must be an http(s) URL."""
    url = REGIONS.get(base_url.strip().lower(), base_url.strip()).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"base_url must be 'us', 'eu' or an http(s) URL such as "
            f"http://127.0.0.1:8000, not {base_url!r}"
        )
    return url


def detect_flavor(base_url: str) -> Flavor:
    """Totango's own hosts speak only Totango's API; any other server is taken for Playrunner."""
    return "totango" if urlsplit(base_url).hostname in _TOTANGO_HOSTS else "playrunner"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How far the client goes before raising.

    ``rate_limited``: 429 answers waited out and retried (as ``RateLimit-Reset`` /
    ``Retry-After`` say). ``max_wait``: the longest single wait in seconds; a 429 asking for
    longer is raised at once. ``transient``: retries after a connection error (only for reads
    and for calls that carry an Idempotency-Key to a server that honours it) or a 503 (which
    writes nothing), waiting ``backoff`` seconds, doubling each time.
    """

    rate_limited: int = 3
    max_wait: float = 120.0
    transient: int = 3
    backoff: float = 0.5

    def __post_init__(self) -> None:
        if min(self.rate_limited, self.transient) < 0 or min(self.max_wait, self.backoff) < 0:
            raise ValueError("RetryPolicy values must not be negative")


# Pace 1% under the rate asked for: evenly spaced calls at exactly N a minute put call N+1 on
# the very edge of a fixed window, where clock skew and network jitter tip it over.
SAFETY_MARGIN = 1.01


class Pacer:
    """Spaces calls to at most ``per_minute`` a minute (a token bucket, as GCRA, kept 1% under
    it), allowing ``burst`` calls at once, and holds calls back while the server says none
    remain.

    ``reserve(now)`` books the next call and answers how long to wait before sending it, so
    threads (or tasks) that share a client queue in order without holding a lock while waiting.
    """

    def __init__(self, per_minute: float, burst: int = 1) -> None:
        if per_minute <= 0:
            raise ValueError("pace must be a positive number of calls a minute")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self.per_minute = per_minute
        self._interval = 60.0 / per_minute * SAFETY_MARGIN
        self._tolerance = (burst - 1) * self._interval
        self._next: float | None = None  # theoretical arrival time of the next call
        self._held_until = float("-inf")
        self._lock = threading.Lock()

    @property
    def interval(self) -> float:
        """Seconds between two calls at the pace."""
        return self._interval

    def reserve(self, now: float) -> float:
        with self._lock:
            start = max(now, self._held_until)
            arrival = start if self._next is None else max(self._next, start)
            wait = max(start - now, arrival - self._tolerance - now)
            self._next = arrival + self._interval
            return max(0.0, wait)

    def hold_until(self, moment: float) -> None:
        """No call before ``moment`` (the server said the window is spent)."""
        with self._lock:
            self._held_until = max(self._held_until, moment)
