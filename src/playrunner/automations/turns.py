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

Like ``row_inserts.InsertsPerTurn``, the batch is gathered over a turn of the event loop:
the first call schedules it right after the calls already ready to run.
"""

from __future__ import annotations

import asyncio
import weakref

from sqlalchemy.orm import Session

from playrunner.auth.principal import Principal
from playrunner.automations import service
from playrunner.automations.schemas import Trigger
from playrunner.automations.service import Answer
from playrunner.db import Database
from playrunner.models import RunSource

_Pending = list[tuple[Principal, Trigger, "asyncio.Future[Answer]"]]


class TriggersPerTurn:
    """The trigger calls of one database's app, gathered per turn by service and play."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._pending: dict[tuple[str, str], _Pending] = {}
        self._running: set[asyncio.Task[None]] = set()

    async def trigger(self, runner: Principal, request: Trigger) -> Answer:
        """Run ``request`` for ``runner`` (an API call without an idempotency key), with
        the others of this turn for the same play of the same service; its answer once
        committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Answer] = loop.create_future()
        if not self._pending:
            loop.call_soon(self._start)  # after the calls already ready to run
        key = (runner.tenant_id, request.successplay_id)
        self._pending.setdefault(key, []).append((runner, request, future))
        return await future

    def _start(self) -> None:
        pending, self._pending = self._pending, {}
        loop = asyncio.get_running_loop()
        for calls in pending.values():
            task = loop.create_task(self._run(calls))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _run(self, calls: _Pending) -> None:
        if len(calls) == 1:
            await self._alone(*calls[0])
            return
        refused = False

        def batch(session: Session) -> list[Answer]:
            nonlocal refused
            refused = False  # from an attempt that lost a race (PostgreSQL runs it again)
            try:
                return service.trigger_together(
                    session,
                    [runner for runner, _, _ in calls],
                    calls[0][1].successplay_id,
                    [request.account_id for _, request, _ in calls],
                    RunSource.API,
                )
            except Exception:
                refused = True
                raise

        try:
            answers = await self._database.write(batch)
        except Exception as exc:
            if refused:  # nothing of the batch was written: each call on its own
                await asyncio.gather(*(self._alone(*call) for call in calls))
                return
            for _, _, future in calls:
                _settle(future, exc)
            return
        for (_, _, future), answer in zip(calls, answers, strict=True):
            _settle(future, answer)

    async def _alone(
        self, runner: Principal, request: Trigger, future: asyncio.Future[Answer]
    ) -> None:
        try:
            answer = await self._database.write(
                lambda session: service.trigger(session, runner, request, RunSource.API, None)
            )
        except Exception as exc:
            _settle(future, exc)
            return
        _settle(future, answer)


def _settle(future: asyncio.Future[Answer], outcome: Answer | Exception) -> None:
    if future.done():  # its call went away (the client left); its run stands, as alone
        return
    if isinstance(outcome, Exception):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


_per_database: weakref.WeakKeyDictionary[Database, TriggersPerTurn] = weakref.WeakKeyDictionary()


async def trigger(database: Database, runner: Principal, request: Trigger) -> Answer:
    """``request`` run for ``runner`` with the calls of this turn like it (module doc)."""
    turns = _per_database.get(database)
    if turns is None:
        turns = _per_database[database] = TriggersPerTurn(database)
    return await turns.trigger(runner, request)
