"""What commands that use the database share: settings, the database, the service they mean.

Commands import this when they run (not at the top of their modules), so that commands and
``--help`` that need no database never load SQLAlchemy.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy.orm import Session

from playrunner.cli.errors import CommandFailed
from playrunner.config import Settings
from playrunner.db import Database
from playrunner.migrations import is_current, upgrade
from playrunner.notifications import service as notifications_service
from playrunner.outbox import wakeup
from playrunner.tenants import service as tenants_service

T = TypeVar("T")


@contextmanager
def database(*, migrate: bool = False) -> Iterator[Database]:
    """The configured database; migrated first if asked, else required to be current."""
    settings = Settings()
    db = Database(
        settings.database_url,
        sqlite_busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        sqlite_synchronous=settings.sqlite_synchronous,
    )
    db.context.update(notifications_service.process_context(settings))
    listener = _announce_at_once(db, settings)
    wakeup.listen(listener)
    try:
        if migrate:
            upgrade(db.engine)
        elif not is_current(db.engine):
            raise CommandFailed(
                f"The database at {db.url.render_as_string(hide_password=True)} is not"
                " initialised or not up to date: run `playrunner init` (or `playrunner migrate`)."
            )
        yield db
    finally:
        wakeup.listen(None, replacing=listener)
        db.dispose()


def _announce_at_once(db: Database, settings: Settings) -> wakeup.Listener:
    """A command that runs plays writes the runs' events and emails as soon as they commit
    (a server leaves that to its workers, after a burst of requests; a command is no burst):
    ``playrunner webhooks deliveries`` then shows them at once. Sending them stays with the
    workers of a server or ``playrunner worker``."""

    def listener(kind: str, row_ids: list[uuid.UUID]) -> None:
        from playrunner.runs import announcements  # loaded only by commands that run plays

        if kind == announcements.OUTBOX_KIND:
            announcements.expand_many(db, settings, row_ids)

    return listener


def in_service(
    service: str | None, work: Callable[[Session, str], T], *, read_only: bool = False
) -> T:
    """Run ``work(session, tenant_id)`` in one unit of work for the service meant."""
    with database() as db:
        return db.run_sync(
            lambda session: work(session, tenants_service.resolve_tenant(session, service).id),
            read_only=read_only,
        )
