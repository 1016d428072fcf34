"""Reads that share one unit of work with the other such reads of their turn of the event
loop (issue 16): the token lookups of trigger calls that arrive together.

On PostgreSQL most of a one-statement read's cost is not its statement but the unit of work
around it: a pooled connection checked out and back, a greenlet, a session. Reads gathered
over a turn of the loop (``per_turn.PerTurn``) run one after
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
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from playrunner.db import Database
from playrunner.per_turn import Batch, PerTurn, settle, settle_with

T = TypeVar("T")

_Work = Callable[[Session], Any]


class ReadsPerTurn(PerTurn[None, _Work, Any]):
    """The reads of one database gathered per turn of the event loop."""

    def __init__(self, database: Database) -> None:
        super().__init__()
        self._database = database

    async def read(self, work: Callable[[Session], T]) -> T:
        """``Database.read``, with the other reads of this turn."""
        if self._database.is_sqlite:
            return await self._database.read(work)
        result: T = await self.submit(None, work)
        return result

    async def run(self, key: None, batch: Batch[_Work, Any]) -> None:
        if len(batch) == 1:
            work, future = batch[0]
            await settle_with(future, self._database.read(work))
            return

        def every(session: Session) -> list[object]:
            outcomes: list[object] = []
            for work, _ in batch:
                try:
                    outcomes.append(work(session))
                except SQLAlchemyError:
                    raise  # the connection's state is in doubt: each read alone, below
                except Exception as exc:  # this read's own answer (a refused token)
                    outcomes.append(exc)
            return outcomes

        try:
            outcomes = await self._database.read(every)
        except Exception:
            await asyncio.gather(
                *(settle_with(future, self._database.read(work)) for work, future in batch)
            )
            return
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            settle(future, outcome)


_per_database: weakref.WeakKeyDictionary[Database, ReadsPerTurn] = weakref.WeakKeyDictionary()


async def read(database: Database, work: Callable[[Session], T]) -> T:
    """``work`` read with the other reads of this turn on ``database`` (module doc)."""
    reads = _per_database.get(database)
    if reads is None:
        reads = _per_database[database] = ReadsPerTurn(database)
    return await reads.read(work)
