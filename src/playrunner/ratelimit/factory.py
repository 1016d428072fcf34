"""Which rate limiter a deployment gets, from its settings."""

from __future__ import annotations

from playrunner.config import Settings
from playrunner.ratelimit.limiter import MemoryRateLimiter, RateLimiter
from playrunner.ratelimit.shared import FallbackRateLimiter, RedisRateLimiter


def create_rate_limiter(settings: Settings) -> RateLimiter:
    """Shared through Redis (with the per-process fallback) when PLAYRUNNER_REDIS_URL is set;
    this process's memory otherwise."""
    if settings.redis_url is None:
        return MemoryRateLimiter(settings.rate_limit)
    return FallbackRateLimiter(
        RedisRateLimiter(settings.rate_limit, settings.redis_url),
        MemoryRateLimiter(settings.rate_limit),
        settings.redis_retry_seconds,
    )
