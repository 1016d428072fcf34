"""Reads that share one unit of work with the other such reads of their turn of the event
loop (issue 16): the token lookups of trigger calls that arrive together.

On PostgreSQL most of a one-statement read's cost is not its statement but the unit of work
around it: a pooled connection checked out and back, a greenlet, a session. Reads gathered
over a turn of the loop (as ``row_inserts.InsertsPerTurn`` gathers INSERTs) run one after
the other in one unit of work, each with its own statements. With 4,000 tokens in rotation
(each call looks its token up) that was 29% more trigger calls a second on PostgreSQL + Redis
(docs/performance.md, seventh round).

An error a read raises is its own caller's (a refused token); if the shared unit of work fails
in the database, each read runs again alone. On SQLite, whose reads run on the loop's own
connection without awaiting, a read runs at once (``Database.read``).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from playrunner.db import Database

T = TypeVar("T")

_Read = tuple[Callable[[Session], Any], "asyncio.Future[Any]"]


class ReadsPerTurn:
    """The reads of one database gathered per turn of the event loop."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._pending: list[_Read] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._running: set[asyncio.Task[None]] = set()

    async def read(self, work: Callable[[Session], T]) -> T:
        """``Database.read``, with the other reads of this turn."""
        if self._database.is_sqlite:
            return await self._database.read(work)
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new event loop (a restarted app): start afresh
            self._loop, self._pending = loop, []
        future: asyncio.Future[Any] = loop.create_future()
        if not self._pending:
            loop.call_soon(self._start)  # after the calls already ready to run
        self._pending.append((work, future))
        result: T = await future
        return result

    def _start(self) -> None:
        reads, self._pending = self._pending, []
        task = asyncio.get_running_loop().create_task(self._run(reads))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run(self, reads: list[_Read]) -> None:
        try:
            await self._run_reads([read for read in reads if not read[1].done()])
        finally:
            for _, future in reads:  # cancelled (the server stopping): no caller waits on
                if not future.done():
                    future.set_exception(RuntimeError("the read ended without an answer"))

    async def _run_reads(self, reads: list[_Read]) -> None:
        if len(reads) <= 1:
            for work, future in reads:
                await _settle(future, self._database.read(work))
            return

        def every(session: Session) -> list[tuple[bool, Any]]:
            outcomes: list[tuple[bool, Any]] = []
            for work, _ in reads:
                try:
                    outcomes.append((True, work(session)))
                except SQLAlchemyError:
                    raise  # the connection's state is in doubt: each read alone, below
                except Exception as exc:  # this read's own answer (a refused token)
                    outcomes.append((False, exc))
            return outcomes

        try:
            outcomes = await self._database.read(every)
        except Exception:
            await asyncio.gather(
                *(_settle(future, self._database.read(work)) for work, future in reads)
            )
            return
        for (_, future), (ok, value) in zip(reads, outcomes, strict=True):
            if not future.done():
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)


async def _settle(future: asyncio.Future[Any], read: Awaitable[Any]) -> None:
    """``future`` given what ``read`` answers or raises (unless its caller went away)."""
    try:
        value = await read
    except Exception as exc:
        if not future.done():
            future.set_exception(exc)
        return
    if not future.done():
        future.set_result(value)


_per_database: weakref.WeakKeyDictionary[Database, ReadsPerTurn] = weakref.WeakKeyDictionary()


async def read(database: Database, work: Callable[[Session], T]) -> T:
    """``work`` read with the other reads of this turn on ``database`` (module doc)."""
    reads = _per_database.get(database)
    if reads is None:
        reads = _per_database[database] = ReadsPerTurn(database)
    return await reads.read(work)
