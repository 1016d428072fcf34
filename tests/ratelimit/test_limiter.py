"""The per-process limit: limits' fixed window on its memory storage, swept once a second."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from playrunner.ratelimit.limiter import MemoryRateLimiter, SweptMemoryStorage


def _count_timers(monkeypatch: pytest.MonkeyPatch) -> list[threading.Timer]:
    started: list[threading.Timer] = []
    start = threading.Timer.start

    def counted(timer: threading.Timer) -> None:
        started.append(timer)
        start(timer)

    monkeypatch.setattr(threading.Timer, "start", counted)
    return started


async def test_bursts_of_calls_start_no_thread_each(monkeypatch: pytest.MonkeyPatch) -> None:
    limiter = MemoryRateLimiter("1000/minute")
    storage = limiter._storage
    storage.timer.join()  # the sweep limits' constructor starts, over in 10 ms
    storage.SWEEP_SECONDS = 60
    started = _count_timers(monkeypatch)
    decisions = []
    for _ in range(5):
        decisions += [await limiter.hit("token:t") for _ in range(10)]
        await asyncio.sleep(0.03)  # limits' own 10 ms timer would have run and ended
    # One sweep, started by the first count and pending for a minute (limits: one a burst).
    assert len(started) == 1
    assert started[0].daemon
    assert [d.remaining for d in decisions] == list(range(999, 949, -1))


def test_ended_windows_are_still_forgotten_by_the_sweep() -> None:
    storage = SweptMemoryStorage()
    storage.SWEEP_SECONDS = 0.05
    storage.timer.join()  # limits' first sweep, started by its constructor, is over
    storage.incr("ended", expiry=0.01)
    storage.incr("open", expiry=60)
    deadline = time.monotonic() + 5
    while "ended" in storage.expirations and time.monotonic() < deadline:
        time.sleep(0.02)
    assert "ended" not in storage.expirations
    assert "ended" not in storage.storage
    assert storage.get("open") == 1


async def test_a_window_ends_on_time_without_waiting_for_the_sweep() -> None:
    limiter = MemoryRateLimiter("2/second")
    storage = limiter._storage
    storage.timer.join()
    storage.SWEEP_SECONDS = 3600
    first = [(await limiter.hit("token:t")).allowed for _ in range(3)]
    await asyncio.sleep(1.05)  # the window has ended
    window = limiter.item.key_for("token:t")
    assert window in storage.expirations  # not swept: the next count finds it ended
    assert first == [True, True, False]
    assert (await limiter.hit("token:t")).remaining == 1
