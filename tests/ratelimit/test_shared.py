"""The Redis-backed limit: one count for every process, and a per-process fallback."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.engine import make_url

from playrunner.ratelimit.limiter import MemoryRateLimiter
from playrunner.ratelimit.shared import FallbackRateLimiter, RedisRateLimiter
from tests.services import require_redis
from tests.tcp_proxy import TcpProxy


@pytest.fixture
def redis_url() -> str:
    return require_redis()


@pytest.fixture
def prefix() -> str:
    return f"playrunner-test-{uuid.uuid4().hex}"


@pytest.fixture
async def proxied_redis(redis_url: str) -> AsyncIterator[tuple[TcpProxy, str]]:
    target = make_url(redis_url)
    with TcpProxy(target.host or "127.0.0.1", target.port or 6379) as proxy:
        yield proxy, f"redis://127.0.0.1:{proxy.port}/{target.database or 0}"


async def test_two_limiters_share_one_count(redis_url: str, prefix: str) -> None:
    first = RedisRateLimiter("5/minute", redis_url, key_prefix=prefix)
    second = RedisRateLimiter("5/minute", redis_url, key_prefix=prefix)
    try:
        decisions = [await (first if n % 2 else second).hit("token:t") for n in range(8)]
    finally:
        await first.close()
        await second.close()
    assert [d.allowed for d in decisions] == [True] * 5 + [False] * 3
    assert [d.remaining for d in decisions] == [4, 3, 2, 1, 0, 0, 0, 0]
    assert all(55 <= d.reset_after <= 60 for d in decisions)


async def test_fallback_counts_per_process_while_redis_is_away_then_returns(
    proxied_redis: tuple[TcpProxy, str], prefix: str
) -> None:
    proxy, url = proxied_redis
    limiter = FallbackRateLimiter(
        RedisRateLimiter("3/minute", url, key_prefix=prefix),
        MemoryRateLimiter("3/minute"),
        retry_seconds=0,
    )
    try:
        assert (await limiter.hit("token:t")).remaining == 2  # counted in Redis
        assert limiter.status().healthy

        proxy.cut()
        during = await limiter.hit("token:t")
        assert during.allowed
        assert during.remaining == 2  # the first call this process counted itself
        status = limiter.status()
        assert not status.healthy
        assert "Redis unreachable since" in status.detail

        proxy.restore()
        after = await limiter.hit("token:t")
        assert after.remaining == 1  # Redis's count carried on from before the outage
        assert limiter.status().healthy
    finally:
        await limiter.close()


async def test_while_degraded_redis_is_retried_only_every_retry_interval(
    proxied_redis: tuple[TcpProxy, str], prefix: str
) -> None:
    proxy, url = proxied_redis
    limiter = FallbackRateLimiter(
        RedisRateLimiter("10/minute", url, key_prefix=prefix),
        MemoryRateLimiter("10/minute"),
        retry_seconds=3600,
    )
    try:
        proxy.cut()
        await limiter.hit("token:t")
        proxy.restore()
        # Redis is back, but the next attempt is an hour away: still counting locally.
        assert (await limiter.hit("token:t")).remaining == 8
        assert not limiter.status().healthy
    finally:
        await limiter.close()


class _CountedExpiry:
    """The limiter's own storage, with its questions about a window's end counted."""

    def __init__(self, limiter: RedisRateLimiter) -> None:
        self.asked = 0
        storage = limiter._storage
        real = storage.get_expiry

        async def get_expiry(key: str) -> float:
            self.asked += 1
            return await real(key)

        storage.get_expiry = get_expiry  # type: ignore[method-assign]


async def test_a_window_end_is_asked_of_redis_once_per_process(redis_url: str, prefix: str) -> None:
    opener = RedisRateLimiter("5/minute", redis_url, key_prefix=prefix)
    other = RedisRateLimiter("5/minute", redis_url, key_prefix=prefix)
    opener_asks, other_asks = _CountedExpiry(opener), _CountedExpiry(other)
    try:
        first = [await opener.hit("token:t"), await opener.hit("token:t")]
        # The increment that opened the window set its expiry: this process knows it.
        assert opener_asks.asked == 0
        later = [await other.hit("token:t"), await other.hit("token:t")]
        # The other process asks once, for a window it did not open.
        assert other_asks.asked == 1
    finally:
        await opener.close()
        await other.close()
    decisions = first + later
    assert [d.remaining for d in decisions] == [4, 3, 2, 1]
    assert all(59 <= d.reset_after <= 60 for d in decisions)


async def test_the_next_window_is_asked_for_again(redis_url: str, prefix: str) -> None:
    first = RedisRateLimiter("3/second", redis_url, key_prefix=prefix)
    second = RedisRateLimiter("3/second", redis_url, key_prefix=prefix)
    asks = _CountedExpiry(first)
    try:
        await first.hit("token:t")
        await second.hit("token:t")
        await asyncio.sleep(1.2)  # the window ends; the next call opens another
        opened = await second.hit("token:t")
        after = await first.hit("token:t")
    finally:
        await first.close()
        await second.close()
    assert (opened.remaining, after.remaining) == (2, 1)
    assert asks.asked == 1  # the end it knew had passed
    assert after.reset_after <= 1


async def test_windows_that_ended_are_forgotten(redis_url: str, prefix: str) -> None:
    limiter = RedisRateLimiter("10/second", redis_url, key_prefix=prefix)
    try:
        for n in range(1500):
            await limiter.hit(f"token:{n}")
        await asyncio.sleep(1.2)
        for n in range(1500, 3100):
            await limiter.hit(f"token:{n}")
        kept = len(limiter._window_ends)
    finally:
        await limiter.close()
    # Without forgetting, all 3,100 windows would be kept.
    assert kept <= 1600 + 1


async def test_the_next_window_opened_elsewhere_gets_its_own_end(
    redis_url: str, prefix: str
) -> None:
    opener = RedisRateLimiter("3/3 seconds", redis_url, key_prefix=prefix)
    late = RedisRateLimiter("3/3 seconds", redis_url, key_prefix=prefix)
    try:
        await opener.hit("token:t")
        await asyncio.sleep(0.3)
        # 2.7 s left, which Redis rounds to 3: taken as it is, this process would think the
        # window ends 0.3 s after it does.
        await late.hit("token:t")
        await asyncio.sleep(2.9)  # the window has ended
        opened = await opener.hit("token:t")  # the next window, opened by the other process
        after = await late.hit("token:t")
    finally:
        await opener.close()
        await late.close()
    assert (opened.remaining, after.remaining) == (2, 1)
    # The new window's end (3 s away), not what was thought left of the old one (under 1 s).
    assert after.reset_after >= 2
