"""Work that concurrent requests hand over during a turn of the event loop, run together
(issue 16).

Each request submits an item under a key and awaits its own outcome; when the requests
already ready to run have run, the items of each key go to ``run`` together, at most
``MOST_ITEMS`` at a time, and ``run`` settles each item's future with its outcome (or its
error). Used for the rows of received events (``row_inserts.InsertsPerTurn``), the token
reads of calls (``turn_reads.ReadsPerTurn``) and trigger calls (``automations/turns.py``):
a statement, a unit of work or a COMMIT shared by a turn's requests instead of one each.

What they share is here: the turn's items by key; a batch's task kept referenced; a future
whose request went away (the client left) left out; and, whatever happens to the batch
(cancelled as the server stops, or failing past its own handling), no request left waiting
for an answer that will not come.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, Generic, TypeVar

K = TypeVar("K")
I = TypeVar("I")  # noqa: E741 (an item)
R = TypeVar("R")

Batch = list[tuple[I, "asyncio.Future[R]"]]


class PerTurn(Generic[K, I, R]):
    MOST_ITEMS = 500  # per batch (SQLite takes at most 32,766 parameters in a statement)

    def __init__(self) -> None:
        self._pending: dict[K, Batch[I, R]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._running: set[asyncio.Task[None]] = set()

    async def submit(self, key: K, item: I) -> R:
        """``item``'s outcome, once ``run`` has run it with the others of this turn."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new event loop (a restarted app): start afresh
            self._loop, self._pending = loop, {}
        future: asyncio.Future[R] = loop.create_future()
        if not self._pending:
            self._first_of_turn(loop)
            loop.call_soon(self._start)  # after the requests already ready to run
        self._pending.setdefault(key, []).append((item, future))
        return await future

    def _first_of_turn(self, loop: asyncio.AbstractEventLoop) -> None:
        """Called when the first item of a turn is submitted."""

    def _hold(self, loop: asyncio.AbstractEventLoop) -> bool:
        """Whether the turn's items should wait one more turn of the loop (default: no)."""
        return False

    def _start(self) -> None:
        loop = asyncio.get_running_loop()
        if self._hold(loop):
            loop.call_soon(self._start)  # the next turn, after what it brings in
            return
        pending, self._pending = self._pending, {}
        for key, items in pending.items():
            for start in range(0, len(items), self.MOST_ITEMS):
                task = loop.create_task(self._run(key, items[start : start + self.MOST_ITEMS]))
                self._running.add(task)
                task.add_done_callback(self._running.discard)

    async def _run(self, key: K, batch: Batch[I, R]) -> None:
        try:
            waiting = [(item, future) for item, future in batch if not future.done()]
            if waiting:
                await self.run(key, waiting)
        finally:
            for _, future in batch:
                settle(future, RuntimeError("the batch ended without an answer"))

    async def run(self, key: K, batch: Batch[I, R]) -> None:
        """Run these items of ``key`` and settle each one's future (``settle``)."""
        raise NotImplementedError


def settle(future: asyncio.Future[Any], outcome: object) -> None:
    """Answer ``future`` with ``outcome`` (raised, if it is an exception), unless it has its
    answer already or its request went away."""
    if future.done():
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


async def settle_with(future: asyncio.Future[Any], work: Awaitable[Any]) -> None:
    """Answer ``future`` with what ``work`` answers or raises."""
    try:
        outcome = await work
    except Exception as exc:
        settle(future, exc)
        return
    settle(future, outcome)
