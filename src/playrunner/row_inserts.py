"""INSERTs of fully built rows, sent to the database driver as they are: for the writes of
the trigger path (a run, its items, their events and emails).

SQLAlchemy owns the schema and each column's conversion (its types' bind processors, the
same functions its own INSERTs use); what is skipped is the work done on every execution
(building and caching the statement, processing each parameter by name), which cost more
than the database's own work for these small INSERTs. The SQL and the processors are
made once per table and dialect; each call is one ``executemany`` (``exec_driver_sql``, so
errors are still SQLAlchemy's and the connection is the unit of work's).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Dialect, Table
from sqlalchemy.orm import Session

Processor = Callable[[Any], Any] | None
_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


class RowInsert:
    """``INSERT INTO table (every column) VALUES (...)`` for rows given as mappings by column
    name; a column a row leaves out takes its Python-side default (or NULL)."""

    def __init__(self, model: type[Any], *, unless_key_exists: Sequence[str] = ()) -> None:
        """``model``: a mapped class (its table). ``unless_key_exists``: the columns of a
        unique key; a row whose key is taken is not inserted (``ON CONFLICT ... DO NOTHING``,
        the same words on SQLite and PostgreSQL), and ``insert_one`` says so."""
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
        connection.exec_driver_sql(sql, [self._values(row, processors) for row in rows])

    def insert_one(self, session: Session, row: Mapping[str, Any]) -> bool:
        """Insert one row; whether it was (False: its unique key was taken)."""
        connection = session.connection()
        sql, processors = self._prepare(connection.dialect)
        result = connection.exec_driver_sql(sql, self._values(row, processors))
        inserted: int = result.rowcount
        return inserted == 1

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
