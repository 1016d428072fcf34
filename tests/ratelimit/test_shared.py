"""The Redis-backed limit: one count for every process, and a per-process fallback."""

from __future__ import annotations

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
