"""Engine, sessions and the unit of work: the only place that commits.

SQLite allows one writer at a time. Instead of letting pooled connections in worker
threads race for its write lock (the busy handler then sleeps and latency explodes), a
unit of work on SQLite runs synchronously on the event loop: transactions are short,
never await, and therefore never overlap inside one process; while serving, the writes of
concurrent requests are committed together (``playrunner.sqlite.GroupCommit``). Every write
transaction starts with ``BEGIN IMMEDIATE`` so a second process (the CLI, another worker)
queues on the busy timeout instead of failing half-way. Client-server databases run the
same unit of work through their async driver (in a greenlet: ``_run``), so many
transactions are in flight at once without threads. There, two transactions may change the
same rows at once: the one that loses (a unique key the other just took, a row the other just
deleted, a serialisation failure or deadlock) is run again from the start, where the service's
own checks see the winner's work and answer as they would have (409 exists, 404 gone).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection
from sqlalchemy.util import greenlet_spawn

from playrunner.db_failures import WRITE_ATTEMPTS, lost_a_race
from playrunner.sqlite import (
    READ_ONLY,
    GroupCommit,
    LoopReader,
    WalCheckpointer,
    create_sqlite_engine,
)

T = TypeVar("T")

# Queries that take many ids (``IN (...)``) take them this many at a time: well inside every
# database's limit on bound parameters, and as fast as larger batches.
IN_CHUNK = 500


def chunked(values: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    """``values`` in consecutive slices of at most ``size``."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


logger = logging.getLogger("playrunner.db")
AFTER_COMMIT = "playrunner_after_commit"


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Call ``callback`` once this unit of work has committed (never if it rolls back).
    Used to tell other parts of the process about what was just written (webhook workers)."""
    session.info.setdefault(AFTER_COMMIT, []).append(callback)


def _run_after_commit(callbacks: list[Callable[[], None]]) -> None:
    for callback in callbacks:
        try:
            callback()
        except Exception:  # the data is committed; the sweep catches up on what was missed
            logger.exception("after-commit callback failed")


# Connections synchronous callers (``session``, ``run_sync``) keep at most, on PostgreSQL: the CLI
# uses one; a server's webhook and email workers and sweeps one each.
SYNC_POOL_SIZE = 10

# A pooled connection idle for longer than this is pinged before it is used again.
PING_IDLE_SECONDS = 1.0
_IDLE_SINCE = "playrunner_idle_since"


def ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection before use only when it has sat in the pool for more than
    ``PING_IDLE_SECONDS``: one that died while PostgreSQL was away is replaced before a
    request gets it, as ``pool_pre_ping`` would, without ``pool_pre_ping``'s round trip on
    every checkout (one in six of a trigger's round trips under load, where a connection
    goes back to the pool for milliseconds). A connection that fails while in use is
    invalidated by SQLAlchemy, and the rest of the pool with it."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_connection: DBAPIConnection, record: ConnectionPoolEntry) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(
        connection: DBAPIConnection, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
    ) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since < PING_IDLE_SECONDS:
            return
        # A dead connection: every other idle one most likely died with it (PostgreSQL
        # restarted), so the whole pool is replaced, as pool_pre_ping does.
        try:
            alive = engine.dialect.do_ping(connection)
        except engine.dialect.loaded_dbapi.Error as exc:  # how the dialect's ping fails
            raise InvalidatePoolError(f"connection lost while idle: {exc}") from exc
        if not alive:
            raise InvalidatePoolError("connection lost while idle")


class Database:
    """Owns the engine and runs units of work against it."""

    def __init__(
        self,
        url: str,
        *,
        sqlite_busy_timeout_ms: int = 5000,
        sqlite_synchronous: str = "FULL",
        pool_size: int = 10,
        serving: bool = False,
    ):
        """``serving``: this Database serves HTTP on an event loop. On SQLite that turns on
        group commit for ``write`` and background WAL checkpoints. ``pool_size``: on
        PostgreSQL, the connections requests (``read``, ``write``, ``write_one``) use at
        most; synchronous callers (the CLI, a server's background workers) have a pool of
        their own of at most ``SYNC_POOL_SIZE``."""
        parsed = make_url(url)
        self.url = parsed
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self._checkpointer: WalCheckpointer | None = None
        self._group_commit: GroupCommit | None = None
        self._loop_reader: LoopReader | None = None
        if self.is_sqlite:
            file = parsed.database if parsed.database not in (None, "", ":memory:") else None
            if serving and file is not None:
                self._checkpointer = WalCheckpointer(file, sqlite_busy_timeout_ms)
            self.engine = create_sqlite_engine(
                url,
                sqlite_busy_timeout_ms,
                auto_checkpoint=self._checkpointer is None,
                synchronous=sqlite_synchronous,
            )
            if serving:
                self._group_commit = GroupCommit(self.engine)
                self._loop_reader = LoopReader(self.engine)
        else:
            self.engine = create_engine(
                url,
                pool_size=SYNC_POOL_SIZE,
                max_overflow=0,
                pool_pre_ping=True,
                hide_parameters=True,
            )
        self._read_engine = self.engine.execution_options(**{READ_ONLY: True})
        self._pool_size = pool_size
        self._async_engine: AsyncEngine | None = None
        # What every unit of work finds in ``session.info``: how this process was set up
        # (whether email is on: notifications/service.py), so services on the hot path need
        # no Settings argument threaded through every caller.
        self.context: dict[str, object] = {}

    @contextmanager
    def session(self, *, read_only: bool = False) -> Iterator[Session]:
        """A unit of work for synchronous callers (CLI, seeding, tests): commit or roll back."""
        bind = self._read_engine if read_only else self.engine
        with self._transaction(bind) as session:
            yield session
        _run_after_commit(session.info.pop(AFTER_COMMIT, []))

    @contextmanager
    def _transaction(self, bind: Engine | Connection) -> Iterator[Session]:
        """A session on ``bind`` whose transaction commits when the block ends (rolls back if
        it raises), with this process's context in ``session.info``."""
        with (
            Session(bind, expire_on_commit=False, info=dict(self.context)) as session,
            session.begin(),
        ):
            yield session

    def run_sync(self, work: Callable[[Session], T], *, read_only: bool = False) -> T:
        with self.session(read_only=read_only) as session:
            return work(session)

    async def write(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in one transaction and commit it (roll back if it raises); return
        only once it is committed."""
        callbacks: list[Callable[[], None]] = []

        def tracked(session: Session) -> T:
            callbacks.clear()  # from an attempt that lost a race
            session.info.update(self.context)
            result = work(session)
            # What the commit would flush, flushed now: the callbacks a flush arranges (a play
            # changed: plan_cache) are handed over below, before the commit runs.
            session.flush()
            callbacks.extend(session.info.pop(AFTER_COMMIT, []))
            return result

        if self._group_commit is not None:
            result = await self._group_commit.run(tracked)
            _run_after_commit(callbacks)
            return result
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                result = await self._run(tracked, read_only=False)
                _run_after_commit(callbacks)
                return result
            except Exception as exc:
                if attempt == WRITE_ATTEMPTS or not lost_a_race(exc):
                    raise
                # The winner has committed (or is about to): start again, a little apart
                # from the other losers.
                await asyncio.sleep(random.uniform(0, 0.005 * attempt))
        raise AssertionError("unreachable")

    async def write_one(self, work: Callable[[Connection], T]) -> T:
        """Run ``work``, a single statement on a connection (no session, no savepoint: a
        statement is atomic by itself), and commit it; return only once it is committed.
        For the hottest, simplest writes (storing a received event): on SQLite it joins the
        loop turn's group commit, elsewhere it is its own short transaction."""
        if self._group_commit is not None:
            return await self._group_commit.run_statement(work)
        if self.is_sqlite:
            with self.engine.begin() as connection:
                return work(connection)

        def committed(connection: Connection) -> T:
            with connection.begin():
                return work(connection)

        return await self._on_connection(committed)

    async def read(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in a transaction that is not expected to write."""
        if self._loop_reader is not None:
            return self._loop_reader.run(work)
        return await self._run(work, read_only=True)

    async def _run(self, work: Callable[[Session], T], *, read_only: bool) -> T:
        if self.is_sqlite:
            return self.run_sync(work, read_only=read_only)

        def unit(connection: Connection) -> T:
            if read_only and connection.default_isolation_level == "READ COMMITTED":
                # Each statement of a READ COMMITTED transaction reads from a snapshot of
                # its own, so a read gains nothing from BEGIN and COMMIT but their two round
                # trips (a quarter of a one-statement read's CPU: docs/performance.md).
                # Under a stricter default, a read keeps its one snapshot in a transaction.
                connection.execution_options(isolation_level="AUTOCOMMIT")
            with self._transaction(connection) as session:
                return work(session)

        return await self._on_connection(unit)

    async def _on_connection(self, work: Callable[[Connection], T]) -> T:
        """``work`` (which begins and ends its transaction) on a connection of the async
        engine's pool, the connection then handed back. The same synchronous code, driven by
        the async driver: SQLAlchemy runs it in a greenlet and each query awaits the network,
        so no thread (and no contention for the GIL between threads) is involved. The
        checkout, BEGIN, work, COMMIT and return to the pool all run in this one greenlet: an
        AsyncSession or AsyncConnection spawns one for each of its steps (issue 16: a token's
        lookup cost 300 µs of CPU that way, 210 µs this way)."""
        engine = self._async().sync_engine

        def run() -> T:
            with engine.connect() as connection:
                return work(connection)

        return await greenlet_spawn(run)

    def _async(self) -> AsyncEngine:
        if self._async_engine is None:
            self._async_engine = create_async_engine(
                self.url,
                pool_size=self._pool_size,
                max_overflow=0,
                hide_parameters=True,
            )
            ping_when_idle(self._async_engine.sync_engine)
        return self._async_engine

    @property
    def serving_engine(self) -> Engine:
        """The engine ``read`` and ``write`` use (for event hooks: metrics, tests)."""
        return self.engine if self.is_sqlite else self._async().sync_engine

    async def aclose(self) -> None:
        """Release everything, including connections the event loop holds."""
        if self._async_engine is not None:
            await self._async_engine.dispose()
        self.dispose()

    def dispose(self) -> None:
        if self._group_commit is not None:
            self._group_commit.close()
        if self._loop_reader is not None:
            self._loop_reader.close()
        if self._checkpointer is not None:
            self._checkpointer.stop()
        self.engine.dispose()
