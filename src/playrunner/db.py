"""Engine, sessions and the unit of work: the only place that commits.

SQLite allows one writer at a time. Instead of letting pooled connections in worker
threads race for its write lock (the busy handler then sleeps and latency explodes), a
unit of work on SQLite runs synchronously on the event loop: transactions are short,
never await, and therefore never overlap inside one process. Every write transaction
starts with ``BEGIN IMMEDIATE`` so a second process (the CLI, another worker) queues on
the busy timeout instead of failing half-way. Client-server databases run the same unit
of work in a thread pool, where their connections can work in parallel.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import Session
from sqlalchemy.pool import ConnectionPoolEntry

T = TypeVar("T")

_READ_ONLY = "playrunner_read_only"


class Database:
    """Owns the engine and runs units of work against it."""

    def __init__(self, url: str, *, sqlite_busy_timeout_ms: int = 5000, pool_size: int = 10):
        parsed = make_url(url)
        self.url = parsed
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite:
            self.engine = _create_sqlite_engine(url, sqlite_busy_timeout_ms)
        else:
            self.engine = create_engine(
                url, pool_size=pool_size, max_overflow=0, pool_pre_ping=True
            )
        self._read_engine = self.engine.execution_options(**{_READ_ONLY: True})
        self._threads = CapacityLimiter(pool_size)

    @contextmanager
    def session(self, *, read_only: bool = False) -> Iterator[Session]:
        """A unit of work for synchronous callers (CLI, seeding, tests): commit or roll back."""
        bind = self._read_engine if read_only else self.engine
        with Session(bind, expire_on_commit=False) as session, session.begin():
            yield session

    def run_sync(self, work: Callable[[Session], T], *, read_only: bool = False) -> T:
        with self.session(read_only=read_only) as session:
            return work(session)

    async def write(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in one transaction and commit it (roll back if it raises)."""
        return await self._run(work, read_only=False)

    async def read(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in a transaction that is not expected to write."""
        return await self._run(work, read_only=True)

    async def _run(self, work: Callable[[Session], T], *, read_only: bool) -> T:
        if self.is_sqlite:
            return self.run_sync(work, read_only=read_only)
        call = functools.partial(self.run_sync, work, read_only=read_only)
        return await anyio.to_thread.run_sync(call, limiter=self._threads)

    def dispose(self) -> None:
        self.engine.dispose()


def _create_sqlite_engine(url: str, busy_timeout_ms: int) -> Engine:
    parsed = make_url(url)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        # Take transaction control away from the sqlite3 module so that BEGIN is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        options: dict[str, Any] = dict(connection.get_execution_options())
        connection.exec_driver_sql("BEGIN" if options.get(_READ_ONLY) else "BEGIN IMMEDIATE")

    return engine
