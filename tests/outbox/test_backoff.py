"""Retry delays: exponential, with jitter, capped."""

from __future__ import annotations

from playrunner.outbox.lease import MAX_BACKOFF_SECONDS, backoff_seconds


def test_each_retry_waits_about_twice_as_long_as_the_last_with_jitter_and_a_cap() -> None:
    for attempts, ceiling in [(1, 30), (2, 60), (3, 120), (6, 960)]:
        waits = {backoff_seconds(attempts, 30) for _ in range(200)}
        assert all(ceiling / 2 <= wait <= ceiling for wait in waits)
        assert len(waits) > 100  # jittered, not one value
    assert backoff_seconds(40, 30) <= MAX_BACKOFF_SECONDS
