"""The per-token rate limit, behind a small interface so its storage can move.

The counting is the ``limits`` library's fixed-window strategy: a token's window opens
with its first call and lasts the configured period (one minute by default), which is how
Totango describes "100 calls per minute for each token".
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Protocol

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter


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


def decision(
    item: RateLimitItem, allowed: bool, reset_at: float, remaining: int
) -> RateLimitDecision:
    return RateLimitDecision(
        allowed=allowed,
        limit=item.amount,
        remaining=max(0, remaining),
        reset_after=max(0, math.ceil(reset_at - time.time())),
    )


class MemoryRateLimiter:
    """Counts in this process's memory: exact for one process, per process for several."""

    def __init__(self, rate: str) -> None:
        self.item: RateLimitItem = parse(rate)
        self._strategy = FixedWindowRateLimiter(MemoryStorage())

    async def hit(self, key: str) -> RateLimitDecision:
        allowed = self._strategy.hit(self.item, key)
        reset_at, remaining = self._strategy.get_window_stats(self.item, key)
        return decision(self.item, allowed, reset_at, remaining)

    def status(self) -> RateLimiterStatus:
        return RateLimiterStatus("memory", True, "per-process counters")

    async def close(self) -> None:
        return None
