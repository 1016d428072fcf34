"""Reads on PostgreSQL: under READ COMMITTED (its default) a read runs without BEGIN and
COMMIT, each statement on a snapshot of its own as it would be inside a transaction; under a
stricter default it keeps its transaction, and so its one snapshot."""

from __future__ import annotations

import asyncio

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from playrunner.db import Database

pytestmark = pytest.mark.postgresql_only


Status = psycopg.pq.TransactionStatus


def _status_after_a_select(session: Session) -> tuple[Status, int]:
    """Whether PostgreSQL holds a transaction open for this unit of work once it has read,
    and which connection it ran on."""
    session.execute(text("SELECT 1"))
    driver = session.connection().connection.driver_connection
    assert isinstance(driver, psycopg.AsyncConnection)
    return driver.info.transaction_status, id(driver)


def _statuses(url: str) -> tuple[Status, ...]:
    database = Database(url, serving=True)

    async def in_turn() -> tuple[Status, ...]:
        try:
            read, first = await database.read(_status_after_a_select)
            write, second = await database.write(_status_after_a_select)
            read_again, third = await database.read(_status_after_a_select)
        finally:
            await database.aclose()
        # One after the other, all three on the pool's one connection: the write ran on the
        # connection a read had just used, and the read after it on the one the write used.
        assert first == second == third
        return read, write, read_again

    return asyncio.run(in_turn())


def test_a_read_under_read_committed_holds_no_transaction(database_url: str) -> None:
    read, write, read_again = _statuses(database_url)
    assert read is Status.IDLE
    # A write is one transaction; the connection it used goes back to reading without one.
    assert write is Status.INTRANS
    assert read_again is Status.IDLE


def test_a_read_under_a_stricter_default_keeps_its_transaction(database_url: str) -> None:
    strict = make_url(database_url).update_query_dict(
        {"options": "-c default_transaction_isolation=serializable"}
    )
    read, write, _ = _statuses(strict.render_as_string(hide_password=False))
    assert read is Status.INTRANS
    assert write is Status.INTRANS
