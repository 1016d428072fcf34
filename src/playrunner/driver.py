"""Statements handed to the database driver as they are, on a SQLAlchemy connection: for the
few statements of the trigger path (issue 16), where SQLAlchemy's work around each execution
(an execution context, a result object, its events) cost several times the database's own.

SQLAlchemy still owns the schema, the migrations, the connection and its transaction; what
is skipped is only the per-execution machinery. Two things keep that honest:

- **Errors are SQLAlchemy's.** A failed statement goes through SQLAlchemy's own error handling
  for the connection (``Connection._handle_dbapi_exception``): the same ``sqlalchemy.exc``
  error (``IntegrityError``, ``OperationalError``, ...) with the statement's values hidden as
  the engine hides them, and on a lost connection the connection and the rest of the pool
  invalidated. Callers (the unit of work's retries, the error handlers) see no difference.
- **Statements stay observable.** When anyone listens to the engine's or the connection's
  statement events (instrumentation, tests that count or cut statements), statements go
  through SQLAlchemy (``exec_driver_sql``), so every listener sees them as before.

``PreparedSelect`` is a Core ``select`` compiled once per dialect, run this way with
SQLAlchemy's own bind and result processors (the functions its execution applies). INSERTs
go the same way (``row_inserts.RowInsert``); SQLite's savepoints too (``sqlite.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Dialect, Select

Processor = Callable[[Any], Any] | None


def observed(connection: Connection) -> bool:
    """Whether anyone listens to the statements of this connection or its engine: then
    statements go through SQLAlchemy so that they see them."""
    engine, own = connection.engine.dispatch, connection.dispatch
    return bool(
        engine.before_cursor_execute
        or engine.after_cursor_execute
        or own.before_cursor_execute
        or own.after_cursor_execute
    )


def send(
    connection: Connection, sql: str, parameters: Any = (), *, many: bool = False
) -> Sequence[Sequence[Any]]:
    """Execute ``sql`` (in the driver's parameter style) with ``parameters`` (a sequence of
    them with ``many``) on this connection, in its transaction; the rows it returned."""
    if observed(connection):
        result = connection.exec_driver_sql(sql, parameters)
        return result.all() if result.returns_rows else ()
    cursor = None
    try:
        cursor = connection.connection.cursor()
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
        rows = cursor.fetchall() if cursor.description is not None else ()
    except Exception as exc:
        # SQLAlchemy's own handling of a failed statement: the error it would raise, its
        # handle_error hooks, and on a lost connection the pool invalidated, as for any
        # statement it executes itself (it also closes the cursor).
        connection._handle_dbapi_exception(exc, sql, parameters, cursor, None)
        raise  # not reached: the line above raises
    cursor.close()
    return rows


class PreparedSelect:
    """A Core ``select`` with named bind parameters, compiled once per dialect and run
    through the driver (``send``); rows come back as tuples, each value through its
    column type's result processor, as SQLAlchemy would give them."""

    def __init__(self, statement: Select[*tuple[Any, ...]]) -> None:
        self.statement = statement
        self._prepared: dict[type[Dialect], _Compiled] = {}

    def rows(self, connection: Connection, parameters: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        compiled = self._compiled(connection.dialect)
        processed = compiled.processed
        rows = []
        for row in send(connection, compiled.sql, compiled.parameters(parameters)):
            values = list(row)
            for index, process in processed:
                value = values[index]
                if value is not None:
                    values[index] = process(value)
            rows.append(tuple(values))
        return rows

    def _compiled(self, dialect: Dialect) -> _Compiled:
        found = self._prepared.get(type(dialect))
        if found is None:
            found = self._prepared[type(dialect)] = _Compiled(self.statement, dialect)
        return found


class _Compiled:
    def __init__(self, statement: Select[*tuple[Any, ...]], dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        binds = compiled.binds
        self.names: Sequence[str] | None = (
            list(compiled.positiontup or ()) if dialect.positional else None
        )
        self.binds: dict[str, Processor] = {
            name: bind.type._cached_bind_processor(dialect) for name, bind in binds.items()
        }
        # (column index, its result processor) for the columns that have one.
        self.processed: list[tuple[int, Callable[[Any], Any]]] = [
            (index, process)
            for index, column in enumerate(statement.selected_columns)
            if (process := column.type._cached_result_processor(dialect, None)) is not None
        ]

    def parameters(self, given: Mapping[str, Any]) -> Any:
        missing = self.binds.keys() - given.keys()
        if missing:
            raise ValueError(f"missing parameters: {', '.join(sorted(missing))}")
        processed = {
            name: value if (process := self.binds[name]) is None else process(value)
            for name, value in given.items()
            if name in self.binds
        }
        if self.names is None:
            return processed
        return tuple(processed[name] for name in self.names)
