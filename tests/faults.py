"""Making the real database refuse a write, to prove that nothing is left half-written."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from playrunner.db import Database


@contextmanager
def database_refuses(
    database: Database, table: str, operation: str = "INSERT", message: str = "disk says no"
) -> Iterator[None]:
    """While active, every ``operation`` on ``table`` fails inside the database itself."""
    name = f"refuse_{operation.lower()}_{table}"
    with database.engine.begin() as connection:
        if database.is_sqlite:
            connection.execute(
                text(
                    f"CREATE TRIGGER {name} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
                )
            )
        else:
            connection.execute(
                text(
                    f"CREATE FUNCTION {name}() RETURNS trigger AS $$ "
                    f"BEGIN RAISE EXCEPTION '{message}'; END $$ LANGUAGE plpgsql"
                )
            )
            connection.execute(
                text(
                    f"CREATE TRIGGER {name} BEFORE {operation} ON {table} "
                    f"FOR EACH ROW EXECUTE FUNCTION {name}()"
                )
            )
    try:
        yield
    finally:
        with database.engine.begin() as connection:
            if database.is_sqlite:
                connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
            else:
                connection.execute(text(f"DROP TRIGGER IF EXISTS {name} ON {table}"))
                connection.execute(text(f"DROP FUNCTION IF EXISTS {name}()"))
