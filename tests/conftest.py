"""Fixtures: each test on a fresh SQLite file and on PostgreSQL, factories, the app in-process
(the fast lane) or behind a live server (where the behaviour is HTTP's)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from playrunner.app import create_app
from playrunner.config import Settings
from playrunner.db import Database
from playrunner.migrations import upgrade
from tests.factories import Factory
from tests.in_process import InProcessApp
from tests.live_server import LiveServer
from tests.services import PostgresDatabase
from tests.transactions import RolledBackDatabase
from tests.worlds import ApiWorld, PagesWorld, ServiceWorld, api_world


def pytest_configure(config: pytest.Config) -> None:
    # The CLI's Rich consoles take their width when first imported (after this hook): tests
    # read tables at a wide terminal, whatever terminal (or none, under pytest-xdist) runs them.
    os.environ.setdefault("COLUMNS", "250")


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once; every test then starts from a copy of this file."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    database = Database(f"sqlite:///{path}")
    upgrade(database.engine)
    database.dispose()
    return path


@pytest.fixture
def sqlite_url(migrated_template: Path, tmp_path: Path) -> str:
    """A fresh, migrated SQLite file (for tests about SQLite itself)."""
    path = tmp_path / "playrunner.db"
    shutil.copyfile(migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresDatabase]:
    database = PostgresDatabase.create()
    yield database
    database.drop()


# Tests that use one of these run in the fast lane: the app in-process (``InProcessApp``) and,
# on PostgreSQL, every unit of work in one transaction rolled back at the end. Every other
# test that touches PostgreSQL empties it when it is done.
FAST_LANE = frozenset({"api", "in_process", "pages"})


def in_fast_lane(request: pytest.FixtureRequest) -> bool:
    return not FAST_LANE.isdisjoint(request.fixturenames)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The suite runs once per backend: a fresh SQLite file, or the session's PostgreSQL
    database (empty at the start of every test)."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_url")
        return
    postgres: PostgresDatabase = request.getfixturevalue("postgres")
    yield postgres.url
    if not in_fast_lane(request):
        postgres.empty()


@pytest.fixture
def settings(request: pytest.FixtureRequest, database_url: str) -> Settings:
    """The settings of the app under test; ``@pytest.mark.rate_limit("3/minute")`` sets its
    limit (100 a minute otherwise, as Totango's), ``@pytest.mark.settings(name=value)`` others."""
    marker = request.node.get_closest_marker("rate_limit")
    rate = marker.args[0] if marker is not None else "100/minute"
    others = request.node.get_closest_marker("settings")
    given = {"secret_key": "test-secret-key", **(others.kwargs if others else {})}
    return Settings(database_url=database_url, rate_limit=rate, **given)


@pytest.fixture
def database(request: pytest.FixtureRequest, database_url: str) -> Iterator[Database]:
    if database_url.startswith("postgresql") and in_fast_lane(request):
        postgres: PostgresDatabase = request.getfixturevalue("postgres")
        with postgres.engine.connect() as connection:
            transaction = connection.begin()
            yield RolledBackDatabase(connection)
            transaction.rollback()
        return
    db = Database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def factory(database: Database) -> Factory:
    return Factory(database)


@pytest.fixture
def server(settings: Settings) -> Iterator[LiveServer]:
    """The app on a live server, its settings naming the port it serves on (as `serve`)."""
    with LiveServer(lambda port: create_app(settings.model_copy(update={"port": port}))) as live:
        yield live


@pytest.fixture
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        yield client


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests about one database's own behaviour run on that backend only."""
    for item in list(items):
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("database_url") if callspec is not None else None
        if (item.get_closest_marker("sqlite_only") and backend == "postgresql") or (
            item.get_closest_marker("postgresql_only") and backend == "sqlite"
        ):
            items.remove(item)


@pytest.fixture
def in_process(settings: Settings, database: Database) -> Iterator[InProcessApp]:
    """The app in this process, on the test's database (its transaction, on PostgreSQL)."""
    shared = database if isinstance(database, RolledBackDatabase) else None
    with InProcessApp(create_app(settings, database=shared)) as app:
        yield app


@pytest.fixture
def api(factory: Factory, in_process: InProcessApp) -> Iterator[ApiWorld]:
    """The management API's callers, in the fast lane."""
    with api_world(factory, lambda token: in_process.client({"app-token": token})) as world:
        yield world


@pytest.fixture
def pages(factory: Factory, database: Database, in_process: InProcessApp) -> Iterator[PagesWorld]:
    """The web app's world, its pages served in-process (the fast lane)."""
    world = PagesWorld(factory, database, in_process.client)
    yield world
    world.close()


@pytest.fixture
def world(factory: Factory) -> ServiceWorld:
    return ServiceWorld(factory)
