"""A real database whose every unit of work is a SAVEPOINT of one transaction that the test
rolls back at its end (as polar's tests do): nothing to empty between tests.

Used for the fast lane on PostgreSQL, where emptying the database between tests costs more
than most tests themselves. Only tests whose every query goes through this one connection
can use it (the app served in-process, the factories): a live server in a thread, another
process or a second connection would not see the uncommitted rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from playrunner.db import AFTER_COMMIT, Database, _run_after_commit

T = TypeVar("T")


class RolledBackDatabase(Database):
    """Units of work run inline on ``connection``, each in its own SAVEPOINT: committing one
    releases it, a failure rolls back to it (so a run is still all or nothing)."""

    def __init__(self, connection: Connection) -> None:  # no super(): it would make engines
        self.connection = connection
        self.engine = connection.engine
        self.url = connection.engine.url
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.context: dict[str, object] = {}

    @contextmanager
    def session(self, *, read_only: bool = False) -> Iterator[Session]:
        with Session(
            self.connection,
            join_transaction_mode="create_savepoint",
            expire_on_commit=False,
            info=dict(self.context),
        ) as session:
            with session.begin():
                yield session
            # As the real one: what waits for the commit (forgetting cached principals,
            # waking workers) runs once the savepoint is released.
            _run_after_commit(session.info.pop(AFTER_COMMIT, []))

    async def write_one(self, work: Callable[[Connection], T]) -> T:
        with self.connection.begin_nested():
            return work(self.connection)

    async def write(self, work: Callable[[Session], T]) -> T:
        return self.run_sync(work)

    async def read(self, work: Callable[[Session], T]) -> T:
        return self.run_sync(work, read_only=True)

    @property
    def serving_engine(self) -> Engine:
        return self.engine

    async def aclose(self) -> None:
        """The test owns the connection; the app's shutdown leaves it alone."""

    def dispose(self) -> None:
        """As ``aclose``."""
