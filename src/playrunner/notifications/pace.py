"""How fast emails go out: at most ``smtp_per_minute`` in any minute (a moving window, so no
burst at a window's edge), counted with the ``limits`` library on the rate limit's storage:
Redis when Playrunner has it (every worker of every host shares the pace), else this
process's memory (each process paces itself).

A worker that finds the pace used up does not sleep: it gives the rest of its batch back
with a time to try again, spread over the backlog in front of it (``sending.py``)."""

from __future__ import annotations

import logging
import time

from limits import RateLimitItemPerMinute
from limits.errors import StorageError
from limits.storage import RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from playrunner.config import Settings
from playrunner.ratelimit.limiter import SweptMemoryStorage

logger = logging.getLogger("playrunner.notifications")

# Redis answers in milliseconds; a worker waits at most this long for it.
_TIMEOUT_SECONDS = 2.0


class MailPace:
    def __init__(self, settings: Settings) -> None:
        self.per_minute = settings.smtp_per_minute
        self._item = RateLimitItemPerMinute(settings.smtp_per_minute)
        self._key = f"smtp:{settings.smtp_host}:{settings.smtp_port_or_default}"
        self._retry_seconds = max(settings.redis_retry_seconds, 1.0)
        storage: Storage
        if settings.redis_url:
            storage = RedisStorage(
                settings.redis_url,
                key_prefix="playrunner",
                wrap_exceptions=True,
                socket_connect_timeout=_TIMEOUT_SECONDS,
                socket_timeout=_TIMEOUT_SECONDS,
            )
        else:
            storage = SweptMemoryStorage()
        self._limiter = MovingWindowRateLimiter(storage)

    def wait(self) -> float:
        """Take a slot for one email now (0), or the seconds until one frees up. While Redis
        is unreachable nothing is sent unpaced: the email waits ``redis_retry_seconds``."""
        return self._ask(take=True)

    def room(self) -> float:
        """Whether a slot is free now (0, taking none), or the seconds until one is: a
        worker with a batch asks before claiming each email, and gives the rest back at
        once when the pace is used up."""
        return self._ask(take=False)

    def _ask(self, *, take: bool) -> float:
        try:
            ask = self._limiter.hit if take else self._limiter.test
            if ask(self._item, self._key):
                return 0.0
            reset_at, _ = self._limiter.get_window_stats(self._item, self._key)
        except (StorageError, OSError) as exc:
            logger.warning("the mail pace is unreadable (emails wait for Redis): %s", exc)
            return self._retry_seconds
        return max(reset_at - time.time(), 0.1)
