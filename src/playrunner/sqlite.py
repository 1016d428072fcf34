"""SQLite's own machinery: connection pragmas, background checkpoints and group commit.

Everything here exists because SQLite has one writer and lives in our process; PostgreSQL
needs none of it. ``playrunner.db`` decides when to use it.
"""

from __future__ import annotations

import asyncio
import logging
import math
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import (
    Connection,
    Dialect,
    Engine,
    NestedTransaction,
    RootTransaction,
    create_engine,
    event,
)
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import Session
from sqlalchemy.pool import ConnectionPoolEntry

from playrunner.db_failures import describe_failure
from playrunner.driver import send

T = TypeVar("T")
logger = logging.getLogger("playrunner.db")

READ_ONLY = "playrunner_read_only"


def create_sqlite_engine(
    url: str, busy_timeout_ms: int, *, auto_checkpoint: bool, synchronous: str = "FULL"
) -> Engine:
    """``synchronous``: FULL (the default) fsyncs the WAL at every commit, so a run answered
    ``Success`` survives a power loss; NORMAL syncs only at checkpoints (faster, and a power
    loss may undo the last commits; a crashed process loses nothing either way)."""
    if synchronous not in ("FULL", "NORMAL"):
        raise ValueError(f"SQLite synchronous must be FULL or NORMAL, not {synchronous!r}")
    parsed = make_url(url)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        # An error's text never carries the values of a statement (customer data).
        hide_parameters=True,
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        # Take transaction control away from the sqlite3 module so that BEGIN is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        if not auto_checkpoint:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        options: dict[str, Any] = dict(connection.get_execution_options())
        send(connection, "BEGIN" if options.get(READ_ONLY) else "BEGIN IMMEDIATE")

    _savepoints_as_driver_sql(engine.dialect)
    return engine


def _savepoints_as_driver_sql(dialect: Dialect) -> None:
    """Send SAVEPOINT, RELEASE and ROLLBACK TO as plain SQL, through the driver
    (``driver.send``). SQLAlchemy builds each as a statement and compiles it, and since every
    savepoint has a new name (``sa_savepoint_N``) the compiled cache never hits: a fifth of
    the trigger's unit of work, where every request is a savepoint of the group commit. The
    names are quoted here, not by the dialect's identifier preparer, which keeps every
    identifier it quoted: one more per savepoint, for the life of the process."""

    def quoted(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def do_savepoint(connection: Connection, name: str) -> None:
        send(connection, f"SAVEPOINT {quoted(name)}")

    def do_rollback_to_savepoint(connection: Connection, name: str) -> None:
        send(connection, f"ROLLBACK TO SAVEPOINT {quoted(name)}")

    def do_release_savepoint(connection: Connection, name: str) -> None:
        send(connection, f"RELEASE SAVEPOINT {quoted(name)}")

    # The dialect's documented hooks for these three statements, replaced on this engine's
    # dialect only.
    dialect.do_savepoint = do_savepoint  # type: ignore[method-assign]
    dialect.do_rollback_to_savepoint = do_rollback_to_savepoint  # type: ignore[method-assign]
    dialect.do_release_savepoint = do_release_savepoint  # type: ignore[method-assign]


class WalCheckpointer:
    """Moves the SQLite write-ahead log into the database file from a background thread.

    By default SQLite checkpoints inside whichever commit crosses 1,000 WAL pages, and that
    commit then copies pages and fsyncs: on the event loop, a pause of tens to hundreds of
    milliseconds for every request waiting behind it. Here the server's connections never
    checkpoint; this thread does, PASSIVE (it never blocks writers), on its own connection,
    and sqlite3 releases the GIL while it works. It also refreshes the query planner's
    statistics (``analyze``) soon after start and every hour.
    """

    def __init__(self, path: str, busy_timeout_ms: int, interval_seconds: float = 0.5) -> None:
        self._path = path
        self._busy_timeout_ms = busy_timeout_ms
        self._interval = interval_seconds
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wal-checkpointer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        connection = sqlite3.connect(self._path, isolation_level=None)
        try:
            connection.execute(f"PRAGMA busy_timeout={int(self._busy_timeout_ms)}")
            analyzed_at = -math.inf
            while not self._stopped.wait(self._interval):
                try:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
                    if time.monotonic() - analyzed_at > ANALYZE_INTERVAL_SECONDS:
                        analyze(connection)
                        analyzed_at = time.monotonic()
                except sqlite3.Error as exc:  # a busy database: try again next time
                    logger.debug("WAL checkpoint skipped: %s", exc)
        finally:
            connection.close()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)


# How often the query planner's statistics are refreshed while serving.
ANALYZE_INTERVAL_SECONDS = 3600.0


def analyze(connection: sqlite3.Connection) -> None:
    """Refresh the statistics SQLite's query planner chooses indexes by (sampled, so quick on
    large tables). Without them it guesses, and a page filtered by account may walk a person's
    whole work index instead of the account's few rows."""
    connection.execute("PRAGMA analysis_limit=1000")
    connection.execute("ANALYZE")


class ReusedSession:
    """One ``Session`` object for every unit of work on one connection, each joined to a
    transaction its caller began on it (``join_transaction_mode="rollback_only"``: the
    session's rollback, on a failed flush, is that transaction's; its commit is the
    caller's). Works run one at a time and close it (cleared, as new) before the next:
    building a ``Session`` for every request cost more than the request's SAVEPOINT (issue
    16). Used by the loop's reads and the group commit."""

    def __init__(self) -> None:
        self._session: Session | None = None

    def on(self, connection: Connection) -> Session:
        session = self._session
        if session is None or session.bind is not connection:
            session = self._session = Session(
                bind=connection, join_transaction_mode="rollback_only", expire_on_commit=False
            )
        session.info.clear()
        return session

    def forget(self) -> None:
        self._session = None


class LoopReader:
    """Read transactions on one connection kept open for the event loop's thread, so a read
    (every call's token lookup) costs no pool checkout and reset."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine.execution_options(**{READ_ONLY: True})
        self._connection: Connection | None = None
        self._sessions = ReusedSession()

    def run(self, work: Callable[[Session], T]) -> T:
        connection = self._connection
        if connection is None or connection.invalidated:
            connection = self._connection = self._engine.connect()
        session = self._sessions.on(connection)
        with connection.begin():
            try:
                result = work(session)
                session.flush()  # as a unit of work's commit would (a read writes nothing)
                return result
            finally:
                session.close()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
            self._sessions.forget()


# Only ``Database`` begins and ends transactions; a work that ended its session's transaction
# and went on wrote in the batch's own transaction, beyond the reach of its savepoint.
_ENDED_ITSELF = "a unit of work ended its transaction itself"


def _in_open_transaction(session: Session) -> bool:
    """Whether the session has a transaction still open (not one a failed flush ended)."""
    transaction = session.get_transaction()
    return transaction is not None and transaction.is_active


def _savepoints_in_memory(connection: Connection) -> None:
    """Keep this connection's savepoint journals in memory (``temp_store=MEMORY``).

    A savepoint inside a transaction keeps the original of each page it changes in a
    journal, which SQLite writes to a temporary file by default: on the group commit's
    connection, where every request is a savepoint, that was some thirty ``pwrite`` calls
    per trigger and a file created and unlinked per batch, 14% of the trigger's unit of
    work (docs/performance.md, fifth round). Only this connection: its journals hold one
    batch's pages, while elsewhere the same setting would also keep large sorts and
    temporary tables in memory. Sent to the driver directly: the connection has no
    transaction yet, and through SQLAlchemy it would begin one."""
    cursor = connection.connection.cursor()
    try:
        cursor.execute("PRAGMA temp_store=MEMORY")
    finally:
        cursor.close()


class GroupCommit:
    """Commits the writes of every request that ran in one turn of the event loop together.

    Each request's unit of work runs inside a SAVEPOINT of one shared transaction (so a
    failing request rolls back alone); the first one schedules a single COMMIT right after
    the requests already ready to run; each request waits for that COMMIT before it answers.
    A run is therefore still durable before its response, all or nothing, but 30 concurrent
    runs cost one BEGIN IMMEDIATE and one COMMIT (one WAL append of the shared pages)
    instead of thirty. If the COMMIT fails, every request of the batch gets the error.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None
        self._transaction: RootTransaction | None = None
        self._waiting: list[asyncio.Future[None]] = []
        self._sessions = ReusedSession()
        # Set when a request of the current batch may have left writes in it: the batch's
        # COMMIT is then refused, and every request of the batch gets this error.
        self._failed: Exception | None = None

    async def run(self, work: Callable[[Session], T]) -> T:
        connection = self._join_batch()
        savepoint = connection.begin_nested()
        session = self._sessions.on(connection)
        try:
            result = work(session)
            session.flush()
        except BaseException:
            if not savepoint.is_active and _in_open_transaction(session):
                # It rolled its session back, wrote on past its savepoint, then failed.
                self._fail_batch(RuntimeError(_ENDED_ITSELF))
            try:
                session.close()
            finally:
                self._undo(savepoint)
            raise
        try:
            session.close()
            if not savepoint.is_active:  # its work rolled the session back
                raise RuntimeError(_ENDED_ITSELF)
            savepoint.commit()
        except Exception as exc:
            # The request's writes may be in the batch now (its RELEASE failed, or it wrote
            # past its savepoint): the whole batch fails with it rather than keep them.
            self._fail_batch(exc)
            raise
        await self._committed()
        return result

    def _undo(self, savepoint: NestedTransaction) -> None:
        """Roll back a failed request's savepoint (unless a failed flush already has); if
        that fails too, its writes may remain, and the batch fails with it."""
        if savepoint.is_active:
            try:
                savepoint.rollback()
            except Exception as exc:
                self._fail_batch(exc)
                raise

    def _fail_batch(self, cause: Exception) -> None:
        if self._failed is None:  # the first cause is the one worth logging
            self._failed = cause

    async def run_statement(self, work: Callable[[Connection], T]) -> T:
        """``work``, one statement on the shared connection, committed with the batch. No
        savepoint: SQLite undoes a failing statement alone (or, on errors such as a full
        disk, the whole transaction, whose COMMIT then fails for every request anyway)."""
        result = work(self._join_batch())
        await self._committed()
        return result

    async def _committed(self) -> None:
        """Wait for the batch's COMMIT (its error, if it fails)."""
        committed = asyncio.get_running_loop().create_future()
        self._waiting.append(committed)
        await committed

    def _join_batch(self) -> Connection:
        if self._connection is None or self._connection.invalidated:
            self._connection = self._engine.connect()
            _savepoints_in_memory(self._connection)
        if self._transaction is None:
            self._transaction = self._connection.begin()
            asyncio.get_running_loop().call_soon(self._commit)
        return self._connection

    def _commit(self) -> None:
        transaction, waiting, failed = self._transaction, self._waiting, self._failed
        self._transaction, self._waiting = None, []
        self._failed = None
        if transaction is None:
            return
        try:
            if failed is not None:
                raise RuntimeError(
                    "the batch was not committed: one of its requests may have left writes in it"
                ) from failed
            transaction.commit()
        except Exception as exc:
            logger.error(
                "group commit of %d requests failed: %s", len(waiting), describe_failure(exc)
            )
            self._discard_connection(transaction)
            for future in waiting:
                if not future.done():
                    future.set_exception(exc)
            return
        for future in waiting:
            if not future.done():
                future.set_result(None)

    def _discard_connection(self, transaction: RootTransaction) -> None:
        """After a failed COMMIT, SQLite may still hold the transaction open (it does when
        deferred foreign keys fail), and SQLAlchemy no longer rolls it back: drop the
        connection (closing it rolls back) so the next batch starts on a fresh one."""
        try:
            transaction.rollback()
        except Exception as exc:
            logger.error("rollback after a failed commit failed: %s", describe_failure(exc))
        if self._connection is not None:
            self._connection.invalidate()
            self._connection = None
            self._sessions.forget()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
            self._transaction = None
            self._sessions.forget()
