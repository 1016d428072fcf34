"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from playrunner.db import Database
from playrunner.migrations import is_current, upgrade
from playrunner.models import Base


def test_migrations_match_the_models(database_url: str) -> None:
    # database_url is migrated from empty with these migrations, on each backend.
    database = Database(database_url)
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    database.dispose()
    assert differences == []


def test_upgrade_is_idempotent_and_reports_current(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert not is_current(database.engine)
    upgrade(database.engine)
    upgrade(database.engine)
    assert is_current(database.engine)
    tables = set(inspect(database.engine).get_table_names())
    database.dispose()
    assert {"tenants", "users", "access_tokens", "success_plays", "runs", "tasks"} <= tables


@pytest.mark.sqlite_only
def test_sqlite_runs_in_wal_mode_with_foreign_keys(database: Database) -> None:
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
