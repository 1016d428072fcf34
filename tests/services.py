"""Reaching this machine's PostgreSQL and Redis for tests, or saying clearly why not.

In CI (``CI=true``) an unreachable service fails the tests that need it; elsewhere those tests
are skipped with the reason, so a laptop without PostgreSQL or Redis still runs the rest.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

import psycopg
import pytest
import redis
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from playrunner.db import Database
from playrunner.migrations import upgrade

POSTGRES_URL = os.environ.get(
    "PLAYRUNNER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("PLAYRUNNER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def unavailable(what: str, reason: str) -> None:
    message = f"{what} is not reachable ({reason}); start it, or see DEVELOPERS.md"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI requires {message}")
    pytest.skip(message)


def libpq_url(sqlalchemy_url: str) -> str:
    return (
        make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)
    )


@dataclass
class PostgresDatabase:
    """A throwaway database for this test session, migrated once. Tests either empty it when
    they are done, or keep all their work in one transaction they roll back."""

    admin_url: str
    name: str
    _engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        """One pool for the session's housekeeping and rolled-back tests."""
        if self._engine is None:
            self._engine = create_engine(self.url, pool_size=2, max_overflow=2)
        return self._engine

    @property
    def url(self) -> str:
        return (
            make_url(self.admin_url).set(database=self.name).render_as_string(hide_password=False)
        )

    @classmethod
    def create(cls) -> PostgresDatabase:
        try:
            admin = psycopg.connect(libpq_url(POSTGRES_URL), autocommit=True, connect_timeout=3)
        except psycopg.OperationalError as exc:
            unavailable(f"PostgreSQL at {POSTGRES_URL}", str(exc).strip().splitlines()[0])
            raise
        name = f"playrunner_test_{uuid.uuid4().hex[:12]}"
        with admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        database = cls(POSTGRES_URL, name)
        migrated = Database(database.url)
        upgrade(migrated.engine)
        migrated.dispose()
        return database

    def empty(self) -> None:
        with self.engine.begin() as connection:
            # Every table hangs off tenants, so one cascade empties them all.
            connection.execute(text("TRUNCATE tenants CASCADE"))

    def drop(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
        with psycopg.connect(libpq_url(self.admin_url), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def require_redis() -> str:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        unavailable(f"Redis at {REDIS_URL}", str(exc))
    finally:
        client.close()
    return REDIS_URL
