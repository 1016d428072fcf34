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


def _status_after_a_select(session: Session) -> psycopg.pq.TransactionStatus:
    """Whether PostgreSQL holds a transaction open for this unit of work once it has read."""
    session.execute(text("SELECT 1"))
    driver = session.connection().connection.driver_connection
    assert isinstance(driver, psycopg.AsyncConnection)
    return driver.info.transaction_status


def _statuses(url: str) -> tuple[psycopg.pq.TransactionStatus, ...]:
    database = Database(url, serving=True)

    async def both() -> tuple[psycopg.pq.TransactionStatus, ...]:
        try:
            read = await database.read(_status_after_a_select)
            write = await database.write(_status_after_a_select)
            read_again = await database.read(_status_after_a_select)
            return read, write, read_again
        finally:
            await database.aclose()

    return asyncio.run(both())


def test_a_read_under_read_committed_holds_no_transaction(database_url: str) -> None:
    read, write, read_again = _statuses(database_url)
    assert read is psycopg.pq.TransactionStatus.IDLE
    # A write is one transaction; the connection it used goes back to reading without one.
    assert write is psycopg.pq.TransactionStatus.INTRANS
    assert read_again is psycopg.pq.TransactionStatus.IDLE


def test_a_read_under_a_stricter_default_keeps_its_transaction(database_url: str) -> None:
    strict = make_url(database_url).update_query_dict(
        {"options": "-c default_transaction_isolation=serializable"}
    )
    read, write, _ = _statuses(strict.render_as_string(hide_password=False))
    assert read is psycopg.pq.TransactionStatus.INTRANS
    assert write is psycopg.pq.TransactionStatus.INTRANS
