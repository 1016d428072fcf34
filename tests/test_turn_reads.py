"""Reads that share one unit of work with the other reads of their turn (``turn_reads``): one
unit of work for the turn on PostgreSQL, each read's answer and error its own caller's."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from playrunner.db import Database
from playrunner.turn_reads import ReadsPerTurn


@pytest.fixture
def units(database: Database, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many units of work ``database.read`` ran: one entry per unit."""
    ran: list[int] = []
    read = database.read

    async def counted(work: Callable[[Session], Any]) -> Any:
        ran.append(1)
        return await read(work)

    monkeypatch.setattr(database, "read", counted)
    return ran


def number(n: int) -> Callable[[Session], int]:
    def work(session: Session) -> int:
        return int(session.scalar(text(f"SELECT {n}")) or 0)

    return work


def refused(session: Session) -> int:
    session.scalar(text("SELECT 1"))
    raise PermissionError("this read's own refusal")


def broken(session: Session) -> int:
    return int(session.scalar(text("SELECT * FROM no_such_table")) or 0)


async def at_once(reads: ReadsPerTurn, works: list[Callable[[Session], int]]) -> list[Any]:
    return list(await asyncio.gather(*(reads.read(work) for work in works), return_exceptions=True))


def test_the_reads_of_a_turn_share_one_unit_of_work_each_answered_its_own(
    database: Database, units: list[int]
) -> None:
    answers = asyncio.run(at_once(ReadsPerTurn(database), [number(n) for n in range(5)]))

    assert answers == [0, 1, 2, 3, 4]
    # On SQLite a read runs at once, on the loop's own connection, never awaiting.
    assert len(units) == (5 if database.is_sqlite else 1)


@pytest.mark.postgresql_only
def test_a_reads_own_error_is_its_callers_alone(database: Database, units: list[int]) -> None:
    answers = asyncio.run(at_once(ReadsPerTurn(database), [number(1), refused, number(3)]))

    assert answers[0] == 1
    assert isinstance(answers[1], PermissionError)
    assert answers[2] == 3
    assert len(units) == 1


@pytest.mark.postgresql_only
def test_when_the_shared_unit_fails_in_the_database_each_read_runs_alone(
    database: Database, units: list[int]
) -> None:
    answers = asyncio.run(at_once(ReadsPerTurn(database), [number(1), broken, number(3)]))

    assert answers[0] == 1
    assert "no_such_table" in str(answers[1])
    assert answers[2] == 3
    assert len(units) == 4  # the shared one, then each alone


@pytest.mark.postgresql_only
def test_a_read_whose_caller_went_away_before_its_turn_ended_is_not_run(
    database: Database, units: list[int]
) -> None:
    ran: list[int] = []

    def noted(n: int) -> Callable[[Session], int]:
        def work(session: Session) -> int:
            ran.append(n)
            return number(n)(session)

        return work

    async def scenario() -> int:
        reads = ReadsPerTurn(database)
        gone = asyncio.ensure_future(reads.read(noted(1)))
        stays = asyncio.ensure_future(reads.read(noted(2)))
        await asyncio.sleep(0)
        gone.cancel()
        return await stays

    assert asyncio.run(scenario()) == 2
    assert ran == [2]
