"""INSERTs of fully built rows, sent to the database driver as they are: for the writes of
the trigger path (a run, its items, their events and emails).

SQLAlchemy owns the schema and each column's conversion (its types' bind processors, the
same functions its own INSERTs use); what is skipped is the work done on every execution
(building and caching the statement, processing each parameter by name), which cost more
than the database's own work for these small INSERTs. The SQL and the processors are
made once per table and dialect; each call is one statement, sent through the driver on the
unit of work's connection (``driver.send``: errors are still SQLAlchemy's, and listeners to
the engine's statement events still see it). Received events go the same way, gathered
over a turn of the event loop (``InsertsPerTurn``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Dialect, Table
from sqlalchemy.orm import Session

from playrunner.driver import Processor, send
from playrunner.per_turn import Batch, PerTurn, settle

if TYPE_CHECKING:
    from playrunner.db import Database

_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


class RowInsert:
    """``INSERT INTO table (every column) VALUES (...)`` for rows given as mappings by column
    name; a column a row leaves out takes its Python-side default (or NULL)."""

    def __init__(self, model: type[Any], *, unless_key_exists: Sequence[str] = ()) -> None:
        """``model``: a mapped class (its table). ``unless_key_exists``: the columns of a
        unique key; a row whose key is taken is not inserted (``ON CONFLICT ... DO NOTHING``,
        the same words on SQLite and PostgreSQL), and ``insert_new`` says which were."""
        self._unless = tuple(unless_key_exists)
        table: Table = model.__table__
        self.table = table
        self.names = [column.name for column in table.columns]
        self._defaults: dict[str, Callable[[], Any]] = {}
        for column in table.columns:
            default = column.default
            if column.server_default is not None and default is None:
                # Every column is sent, so the database's own default would never apply.
                raise ValueError(
                    f"{table.name}.{column.name} has only a server default: give it a Python one"
                )
            if default is not None and (default.is_scalar or default.is_callable):
                self._defaults[column.name] = _default(default.arg, default.is_callable)  # type: ignore[attr-defined]
        self._prepared: dict[str, tuple[str, list[Processor]]] = {}

    def _prepare(self, dialect: Dialect) -> tuple[str, list[Processor]]:
        found = self._prepared.get(dialect.name)
        if found is None:
            quote = dialect.identifier_preparer.quote
            mark = _PLACEHOLDERS[dialect.paramstyle]
            sql = (
                f"INSERT INTO {quote(self.table.name)} ({', '.join(map(quote, self.names))})"
                f" VALUES ({', '.join(mark for _ in self.names)})"
            )
            if self._unless:
                sql += f" ON CONFLICT ({', '.join(map(quote, self._unless))}) DO NOTHING"
            processors: list[Processor] = [
                column.type._cached_bind_processor(dialect) for column in self.table.columns
            ]
            found = self._prepared[dialect.name] = (sql, processors)
        return found

    def execute(self, session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        connection = session.connection()
        sql, processors = self._prepare(connection.dialect)
        if len(rows) == 1:
            send(connection, sql, self._values(rows[0], processors))
        else:
            send(connection, sql, [self._values(row, processors) for row in rows], many=True)

    def insert_new(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> set[Any]:
        """Insert these rows in one statement (``VALUES (...), (...)``); the primary keys of
        those inserted (a row whose unique key was taken, by a row already stored or an
        earlier one of these, is not). Each row must carry its primary key."""
        if not self._unless:
            raise ValueError(f"{self.table.name}: insert_new needs unless_key_exists")
        if not rows:
            return set()
        dialect = connection.dialect
        sql, processors = self._prepare(dialect)
        head, conflict = sql.split(" VALUES ", 1)
        one, conflict = conflict.split(" ON CONFLICT ", 1)
        key_name = self.table.primary_key.columns.values()[0].name
        key = dialect.identifier_preparer.quote(key_name)
        statement = f"{head} VALUES {', '.join(one for _ in rows)} ON CONFLICT {conflict}"
        statement += f" RETURNING {key}"
        parameters = tuple(value for row in rows for value in self._values(row, processors))
        returned = [row[0] for row in send(connection, statement, parameters)]
        # The keys come back as the driver gives them: give them back as the rows had them.
        process = processors[self.names.index(key_name)] or (lambda value: value)
        by_stored = {process(row[key_name]): row[key_name] for row in rows}
        return {by_stored[stored] for stored in returned if stored in by_stored}

    def _values(self, row: Mapping[str, Any], processors: list[Processor]) -> tuple[Any, ...]:
        defaults = self._defaults
        values = []
        for name, process in zip(self.names, processors, strict=True):
            if name in row:
                value = row[name]
            else:
                make = defaults.get(name)
                value = make() if make is not None else None
            values.append(value if process is None or value is None else process(value))
        return tuple(values)


def _default(arg: Any, is_callable: bool) -> Callable[[], Any]:
    """A column's Python-side default as a function of nothing (SQLAlchemy wraps a callable
    default to take the execution context, which these INSERTs do not have)."""
    if is_callable:
        return lambda: arg(None)
    return lambda: arg


class InsertsPerTurn(PerTurn[None, Mapping[str, Any], bool]):
    """The rows that concurrent requests insert into one table, gathered over a turn of the
    event loop (``per_turn.PerTurn``) and written as one statement (``RowInsert.insert_new``)
    in one transaction: thirty events received at once cost one INSERT and one COMMIT instead
    of thirty of each (on PostgreSQL each is a round trip; on SQLite the group commit shares
    the COMMIT already, and one statement still costs less than thirty). If the statement
    fails, each row is tried alone, so a bad row fails only its own request."""

    def __init__(self, database: Database, insert: RowInsert) -> None:
        super().__init__()
        self._database = database
        self._insert = insert
        self._key = insert.table.primary_key.columns.values()[0].name

    async def insert(self, row: Mapping[str, Any]) -> bool:
        """Insert ``row`` (carrying its primary key), committed, with the others of this
        turn; whether it was (False: its unique key was taken)."""
        return await self.submit(None, row)

    async def run(self, key: None, batch: Batch[Mapping[str, Any], bool]) -> None:
        rows = [row for row, _ in batch]
        try:
            inserted = await self._database.write_one(
                lambda connection: self._insert.insert_new(connection, rows)
            )
        except Exception as exc:
            if len(batch) == 1:
                settle(batch[0][1], exc)
                return
            for one in batch:
                await self.run(key, [one])
            return
        for row, future in batch:
            settle(future, row[self._key] in inserted)
