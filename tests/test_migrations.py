"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from playrunner.db import Database
from playrunner.migrations import alembic_config, include_name, is_current, upgrade
from playrunner.models import Base, Run, RunStatus, Task


def test_migrations_match_the_models(database_url: str) -> None:
    # database_url is migrated from empty with these migrations, on each backend.
    database = Database(database_url)
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": include_name})
        differences = compare_metadata(context, Base.metadata)
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


def test_upgrading_a_database_that_holds_data_keeps_every_row(database_url: str) -> None:
    """Batch migrations rebuild SQLite tables; rows that reference them must survive."""
    database = Database(database_url)
    _downgrade_to_first_revision(database)
    ids = {name: uuid.uuid4() for name in ("user", "account", "play", "run", "task")}

    def key(name: str) -> str:
        return ids[name].hex if database.is_sqlite else str(ids[name])

    now = "2026-01-01 00:00:00"
    rows = [
        f"INSERT INTO tenants (id, name, created_at) VALUES ('SP-4242-01', 'Old', '{now}')",
        "INSERT INTO users (id, tenant_id, email, name, role, active, created_at) VALUES "
        f"('{key('user')}', 'SP-4242-01', 'a@b.c', 'A', 'SERVICE_ADMIN', true, '{now}')",
        "INSERT INTO accounts (id, tenant_id, account_id, name, attributes, created_at,"
        f" updated_at) VALUES ('{key('account')}', 'SP-4242-01', 'acme', 'Acme', '{{}}',"
        f" '{now}', '{now}')",
        "INSERT INTO success_plays (id, tenant_id, name, description, manual_trigger,"
        " event_trigger, active, apply_to_parent, created_at, updated_at) VALUES"
        f" ('{key('play')}', 'SP-4242-01', 'P', 'D', true, false, true, false, '{now}', '{now}')",
        "INSERT INTO runs (id, tenant_id, play_id, requested_account_id, account_id, user_id,"
        f" source, created_at) VALUES ('{key('run')}', 'SP-4242-01', '{key('play')}',"
        f" '{key('account')}', '{key('account')}', '{key('user')}', 'api', '{now}')",
        "INSERT INTO tasks (id, tenant_id, account_id, run_id, play_id, title, description,"
        " priority, status, assignee_user_id, assignee_fallback, touchpoint_required,"
        f" created_at, updated_at) VALUES ('{key('task')}', 'SP-4242-01', '{key('account')}',"
        f" '{key('run')}', '{key('play')}', 'T', 'D', 2, 'not_started', '{key('user')}',"
        f" 'fell back', false, '{now}', '{now}')",
    ]
    with database.engine.begin() as connection:
        for row in rows:
            connection.exec_driver_sql(row)

    upgrade(database.engine)

    with database.session(read_only=True) as session:
        run = session.get(Run, ids["run"])
        task = session.get(Task, ids["task"])
        assert run is not None
        assert task is not None
        assert (run.status, run.fallbacks, task.assignee_fallback) == (
            RunStatus.COMPLETED,
            [],
            "fell back",
        )
    if database.is_sqlite:
        with database.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    database.dispose()


def _downgrade_to_first_revision(database: Database) -> None:
    command.downgrade(alembic_config(database.engine), "0001")
