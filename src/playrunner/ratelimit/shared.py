"""The rate limit shared by every process and host, in Redis, and what happens without Redis.

``RedisRateLimiter`` counts with the ``limits`` library's async Redis storage (redis-py),
so one token gets exactly its limit however many processes it hits: the counter is one
Redis key, incremented atomically.

``FallbackRateLimiter`` keeps the service answering when Redis is unreachable. It then counts
in this process's memory (each process enforcing the full limit on its own, so a token may
get up to N times its limit across N processes), reports itself degraded on /readyz, and
tries Redis again every ``retry_seconds`` until it answers, then goes back to it.
"""

from __future__ import annotations

import logging
import time

from limits import RateLimitItem, parse
from limits.aio.storage import RedisStorage
from limits.errors import StorageError
from redis.asyncio import ConnectionPool

from playrunner.ratelimit.limiter import (
    MemoryRateLimiter,
    RateLimitDecision,
    RateLimiterStatus,
    decision,
)

logger = logging.getLogger("playrunner.ratelimit")

# Long enough that a busy event loop (a burst of calls on a small machine) is not taken for
# a dead Redis (at 0.5 s, 300 calls at once on two cores fell back to counting per process);
# short enough that a Redis that stopped answering holds a call for at most this long.
_TIMEOUT_SECONDS = 2.0

# How many windows' ends a limiter keeps before it forgets those that have ended.
_FIRST_PRUNE = 1024


class RedisRateLimiter:
    def __init__(self, rate: str, redis_url: str, key_prefix: str = "playrunner") -> None:
        self.item: RateLimitItem = parse(rate)
        self.redis_url = redis_url
        # Our own pool, so that timeouts are short (a dead Redis must not stall calls)
        # and so that close() can release it.
        self._pool = ConnectionPool.from_url(
            redis_url,
            socket_connect_timeout=_TIMEOUT_SECONDS,
            socket_timeout=_TIMEOUT_SECONDS,
        )
        self._storage = RedisStorage(
            "async+" + redis_url,
            implementation="redispy",
            wrap_exceptions=True,
            key_prefix=key_prefix,
            connection_pool=self._pool,  # type: ignore[arg-type]  # documented, typed narrowly
        )
        # When each window this process has seen ends, never later than it does. A window's
        # expiry is set once, by the increment that creates its key, so it is asked of Redis
        # once per process and window instead of on every call.
        self._window_ends: dict[str, float] = {}
        self._prune_above = _FIRST_PRUNE

    async def hit(self, key: str) -> RateLimitDecision:
        window = self.item.key_for(key)
        expiry = self.item.get_expiry()
        sent = time.time()
        # The atomic increment: its answer is the window's count with this call in it.
        count = await self._storage.incr(window, expiry)
        now = time.time()
        if count == 1:
            # This call opened the window, and Redis set its expiry after ``sent``.
            ends = known = sent + expiry
        else:
            ends = known = self._window_ends.get(window, 0.0)
            if known <= now:  # a window another process opened, or one that has ended
                ends = await self._storage.get_expiry(window)
                # Redis answers in seconds, rounded to the nearest: kept a second early, the
                # end is asked again in the window's last second rather than trusted past it
                # (when the next window, opened elsewhere, would get this one's end).
                known = ends - 1.0
        self._remember(window, known, now)
        return decision(self.item, count, ends)

    def _remember(self, window: str, ends: float, now: float) -> None:
        self._window_ends[window] = ends
        if len(self._window_ends) > self._prune_above:  # forget windows that have ended
            self._window_ends = {w: e for w, e in self._window_ends.items() if e > now}
            self._prune_above = max(_FIRST_PRUNE, 2 * len(self._window_ends))

    async def reachable(self) -> bool:
        return await self._storage.check()

    def status(self) -> RateLimiterStatus:
        return RateLimiterStatus("redis", True, f"shared counters in {_safe(self.redis_url)}")

    async def close(self) -> None:
        await self._pool.aclose()


class FallbackRateLimiter:
    """Redis when it answers; this process's memory when it does not."""

    def __init__(
        self, shared: RedisRateLimiter, local: MemoryRateLimiter, retry_seconds: float = 5.0
    ) -> None:
        self.shared = shared
        self.local = local
        self.retry_seconds = retry_seconds
        self._degraded_since: float | None = None
        self._next_attempt = 0.0
        self._last_error = ""

    async def hit(self, key: str) -> RateLimitDecision:
        if self._degraded_since is None or time.monotonic() >= self._next_attempt:
            try:
                result = await self.shared.hit(key)
            except (StorageError, OSError) as exc:
                self._degrade(exc)
            else:
                self._recover()
                return result
        return await self.local.hit(key)

    def _degrade(self, exc: BaseException) -> None:
        now = time.monotonic()
        if self._degraded_since is None:
            logger.warning(
                "Redis unreachable (%s); rate limits are per process until it returns", exc
            )
            self._degraded_since = time.time()
        self._last_error = str(getattr(exc, "storage_error", exc)) or type(exc).__name__
        self._next_attempt = now + self.retry_seconds

    def _recover(self) -> None:
        if self._degraded_since is not None:
            logger.warning("Redis is back; rate limits are shared again")
        self._degraded_since = None

    def status(self) -> RateLimiterStatus:
        if self._degraded_since is None:
            return self.shared.status()
        since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self._degraded_since))
        return RateLimiterStatus(
            "redis",
            False,
            f"Redis unreachable since {since} ({self._last_error}); counting per process",
        )

    async def close(self) -> None:
        await self.shared.close()


def _safe(url: str) -> str:
    """The URL without a password, for logs and /readyz."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"
