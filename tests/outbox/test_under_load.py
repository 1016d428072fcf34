"""A worker that waited for a pause in the requests and got none (a load longer than
``outbox_yield_seconds``) takes only a few rows of its batch and queues the rest again, so a
sustained load loses little to the sending and the sending still progresses; after a pause
it takes the whole batch. On Huey's own in-memory queue, run task by task."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from huey import MemoryHuey

from playrunner.outbox.workers import UNDER_LOAD, _task


def sent_batches(paused: Callable[[], bool], rows: int) -> list[int]:
    """The sizes of the batches sent, in order, for one queued batch of ``rows``."""
    huey = MemoryHuey(name=f"under-load-{uuid.uuid4()}", utc=True)
    sent: list[int] = []

    def send(ids: list[uuid.UUID]) -> dict[uuid.UUID, float]:
        sent.append(len(ids))
        return {}

    task = _task(huey, "send", send, paused)
    task([str(uuid.uuid4()) for _ in range(rows)])
    while (message := huey.dequeue()) is not None:
        huey.execute(message)
    return sent


def test_without_a_pause_a_worker_takes_a_few_rows_at_a_time() -> None:
    assert sent_batches(lambda: False, 2 * UNDER_LOAD + 5) == [UNDER_LOAD, UNDER_LOAD, 5]


def test_after_a_pause_a_worker_takes_its_whole_batch() -> None:
    assert sent_batches(lambda: True, 2 * UNDER_LOAD + 5) == [2 * UNDER_LOAD + 5]
