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

    def __init__(self, model: type[Any]) -> None:
        """``model``: a mapped class (its table)."""
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
        defaults = self._defaults
        parameters = []
        for row in rows:
            values = []
            for name, process in zip(self.names, processors, strict=True):
                if name in row:
                    value = row[name]
                else:
                    make = defaults.get(name)
                    value = make() if make is not None else None
                values.append(value if process is None or value is None else process(value))
            parameters.append(tuple(values))
        connection.exec_driver_sql(sql, parameters)


def _default(arg: Any, is_callable: bool) -> Callable[[], Any]:
    """A column's Python-side default as a function of nothing (SQLAlchemy wraps a callable
    default to take the execution context, which these INSERTs do not have)."""
    if is_callable:
        return lambda: arg(None)
    return lambda: arg
