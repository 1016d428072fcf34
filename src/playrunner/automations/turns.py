"""Trigger calls that arrive together, run together (issue 16).

When calls trigger the same play of one service at once (a CRM sync on one token, a burst
from several integrations), those that reach their unit of work in the same turn of the event
loop run as one batch of the engine, as a bulk run does (``service.trigger_together``): the
play checked once, each caller and account checked and read, and one INSERT per table for
all their runs and items, instead of a unit of work, a savepoint and two INSERTs per call.
Each run is its caller's (its token, its name in the templates, its fallback assignee).

Measured with `wrk -t1 -c32`, servers before and after side by side (docs/performance.md,
seventh round): one token, SQLite, 27% more calls a second; a token per call (4,000 in
rotation), SQLite 23% and PostgreSQL + Redis 43% more.

Each call still gets the answer it would have had alone:

- a call alone in its turn, or one with an idempotency key, runs as before
  (``service.trigger``);
- the calls of a batch are answered in the order they arrived, each with its own run; with
  the ``skip_if_open`` policy a later call on an account where an earlier one of the batch
  left items open is skipped and names that run, as it would have been a moment later;
- if the batch's unit of work fails (a check refused one of its calls, or a statement
  failed), nothing of it was written, and each call runs again alone, so a bad call is
  answered with its own error and fails no other. If the work succeeded and its COMMIT
  failed, every call gets that error, as every call of SQLite's group commit does.

The batch is gathered over turns of the event loop (``per_turn.PerTurn``). The first call
schedules it right after the calls already ready to run; while other trigger
calls are on their way (received, their token or body still being read), it waits for them,
a turn of the loop at a time, for at most ``MOST_TURNS`` turns and ``MOST_WAIT`` seconds.
Under load that makes batches of most of the calls in flight instead of the few that
happened to finish reading in the same turn (seventh round: 14% more calls a second); a call
that arrives when no other trigger call is on its way waits only for the end of its turn.
A batch holds at most ``MOST_ITEMS`` calls.

Side effects follow the batch, as they follow a bulk call: the new items' assignees get one
email per batch and runner (listing their items), not one per call; the runs of a batch share
their creation time.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from playrunner.auth.principal import Principal
from playrunner.automations import service
from playrunner.automations.schemas import Trigger
from playrunner.automations.service import Answer
from playrunner.db import Database
from playrunner.models import RunSource
from playrunner.per_turn import Batch, PerTurn, settle, settle_with

_Call = tuple[Principal, Trigger]

# How long a batch waits for the trigger calls on their way (module doc): turns of the event
# loop, and seconds, whichever ends first.
MOST_TURNS = 50
MOST_WAIT = 0.002


class TriggersPerTurn(PerTurn[tuple[str, str], _Call, Answer]):
    """The trigger calls of one database's app, gathered per turn by service and play (at
    most ``MOST_ITEMS`` calls a batch)."""

    def __init__(self, database: Database) -> None:
        super().__init__()
        self._database = database
        self.on_the_way = 0  # trigger calls received that have not joined a batch yet
        self._turns_waited = 0
        self._deadline = 0.0

    @contextmanager
    def call(self) -> Iterator[Call]:
        """A trigger call, from when it is received until it joins a batch (``Call.trigger``)
        or ends without one (an error, a dry run, an idempotency key): meanwhile, batches
        wait for it (module doc)."""
        call = Call(self)
        self.on_the_way += 1
        try:
            yield call
        finally:
            call.arrived()

    async def trigger(self, runner: Principal, request: Trigger) -> Answer:
        """Run ``request`` for ``runner`` (an API call without an idempotency key), with
        the others of this turn for the same play of the same service; its answer once
        committed."""
        return await self.submit((runner.tenant_id, request.successplay_id), (runner, request))

    def _first_of_turn(self, loop: asyncio.AbstractEventLoop) -> None:
        self._turns_waited = 0
        self._deadline = loop.time() + MOST_WAIT

    def _hold(self, loop: asyncio.AbstractEventLoop) -> bool:
        if self.on_the_way and self._turns_waited < MOST_TURNS and loop.time() < self._deadline:
            self._turns_waited += 1
            return True
        return False

    async def run(self, key: tuple[str, str], batch: Batch[_Call, Answer]) -> None:
        if len(batch) == 1:
            (runner, request), future = batch[0]
            await settle_with(future, self._alone(runner, request))
            return
        refused = False

        def together(session: Session) -> list[Answer]:
            nonlocal refused
            refused = False  # from an attempt that lost a race (PostgreSQL runs it again)
            try:
                answers = service.trigger_together(
                    session,
                    [runner for (runner, _), _ in batch],
                    key[1],
                    [request.account_id for (_, request), _ in batch],
                    RunSource.API,
                )
                session.flush()  # what the commit would flush fails the batch here, too
                return answers
            except Exception:
                refused = True
                raise

        try:
            answers = await self._database.write(together)
        except Exception as exc:
            if refused:  # nothing of the batch was written: each call on its own
                await asyncio.gather(
                    *(settle_with(future, self._alone(*call)) for call, future in batch)
                )
                return
            for _, future in batch:
                settle(future, exc)
            return
        for (_, future), answer in zip(batch, answers, strict=True):
            settle(future, answer)

    async def _alone(self, runner: Principal, request: Trigger) -> Answer:
        return await self._database.write(
            lambda session: service.trigger(session, runner, request, RunSource.API, None)
        )


class Call:
    """A trigger call on its way to a batch (``TriggersPerTurn.call``)."""

    def __init__(self, turns: TriggersPerTurn) -> None:
        self._turns = turns
        self._on_the_way = True

    def arrived(self) -> None:
        if self._on_the_way:
            self._on_the_way = False
            self._turns.on_the_way -= 1

    async def trigger(self, runner: Principal, request: Trigger) -> Answer:
        """``TriggersPerTurn.trigger``: this call joins this turn's batch."""
        self.arrived()
        return await self._turns.trigger(runner, request)


_per_database: weakref.WeakKeyDictionary[Database, TriggersPerTurn] = weakref.WeakKeyDictionary()


def of(database: Database) -> TriggersPerTurn:
    """The trigger calls of ``database``'s app."""
    turns = _per_database.get(database)
    if turns is None:
        turns = _per_database[database] = TriggersPerTurn(database)
    return turns
