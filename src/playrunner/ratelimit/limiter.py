"""The per-token rate limit, behind a small interface so its storage can move.

The counting is the ``limits`` library's fixed-window strategy: a token's window opens
with its first call and lasts the configured period (one minute by default), which is how
Totango describes "100 calls per minute for each token".

A call is counted with the two storage operations that strategy is made of: the increment,
whose answer is the window's count with this call in it (so it says both whether the call is
allowed and how many remain), and the window's expiry. ``limits``' own
``hit`` and ``get_window_stats`` read the count a second time (one more Redis round trip on
every call, issue 16).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Protocol

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage


@dataclass(frozen=True, slots=True)
class RateLimitDecision:
    allowed: bool
    limit: int
    remaining: int
    reset_after: int  # whole seconds until the window resets

    def headers(self) -> list[tuple[bytes, bytes]]:
        return [
            (b"ratelimit-limit", str(self.limit).encode()),
            (b"ratelimit-remaining", str(self.remaining).encode()),
            (b"ratelimit-reset", str(self.reset_after).encode()),
        ]


@dataclass(frozen=True, slots=True)
class RateLimiterStatus:
    """What /readyz reports about the limiter."""

    backend: str  # "memory" or "redis"
    healthy: bool
    detail: str


class RateLimiter(Protocol):
    async def hit(self, key: str) -> RateLimitDecision:
        """Count one call for ``key`` and say whether it is within the limit."""
        ...

    def status(self) -> RateLimiterStatus: ...

    async def close(self) -> None: ...


def decision(item: RateLimitItem, count: int, reset_at: float) -> RateLimitDecision:
    """The decision for a call that made the window's count ``count``."""
    return RateLimitDecision(
        allowed=count <= item.amount,
        limit=item.amount,
        remaining=max(0, item.amount - count),
        reset_after=max(0, math.ceil(reset_at - time.time())),
    )


class SweptMemoryStorage(MemoryStorage):
    """``limits``' memory storage, its ended windows forgotten by a sweep once a second.

    ``limits`` sweeps them on a 10 ms timer thread that every count starts anew once the last
    one has run: under load, a new thread every 10 ms or so, each of which wakes to take the
    GIL from the requests being served, and sweeps every window each time (issue 16: with
    4,000 tokens in rotation, 7% of a trigger call's CPU). A window still ends the moment it
    ends (``get`` reads its expiry on every count); only forgetting an ended one waits for
    the sweep.

    The sweep is ``limits``' own; what changes is how it is scheduled, through the hook its
    counting calls (a name-mangled method, so ``tests/ratelimit/test_limiter.py`` checks that
    the hook is still the one ``limits`` calls)."""

    SWEEP_SECONDS = 1.0

    def _MemoryStorage__schedule_expiry(self) -> None:
        if not self.timer.is_alive():
            sweep = self._MemoryStorage__expire_events  # type: ignore[attr-defined]
            self.timer = threading.Timer(self.SWEEP_SECONDS, sweep)
            self.timer.daemon = True  # never holds up the process's exit
            self.timer.start()


class MemoryRateLimiter:
    """Counts in this process's memory: exact for one process, per process for several."""

    def __init__(self, rate: str) -> None:
        self.item: RateLimitItem = parse(rate)
        self._storage = SweptMemoryStorage()

    async def hit(self, key: str) -> RateLimitDecision:
        window = self.item.key_for(key)
        count = self._storage.incr(window, self.item.get_expiry())
        return decision(self.item, count, self._storage.get_expiry(window))

    def status(self) -> RateLimiterStatus:
        return RateLimiterStatus("memory", True, "per-process counters")

    async def close(self) -> None:
        return None
