"""Statements through the driver (``playrunner.driver``) behave as SQLAlchemy's own: a prepared
select reads back what SQLAlchemy reads, values converted by their column types, on both
databases and on the serving paths (SQLite's group commit, PostgreSQL's async driver); a
driver error is raised as SQLAlchemy's error, without the statement's values, and the unit of
work fails alone; listeners to the engine's statement events still see every statement. On
PostgreSQL, a unit of work cancelled while it waits for the database writes nothing and gives
its connection back to the pool."""

from __future__ import annotations

import asyncio
import uuid
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import JSON, String, bindparam, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from playrunner.db import Database
from playrunner.driver import PreparedSelect
from playrunner.row_inserts import RowInsert
from tests.statements import recorded_statements


class _Base(DeclarativeBase):
    pass


class Gadget(_Base):
    __tablename__ = "driver_gadgets"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(20))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    on: Mapped[bool]
    made_at: Mapped[datetime]
    parent_id: Mapped[uuid.UUID | None]


_COLUMNS = (Gadget.id, Gadget.settings, Gadget.on, Gadget.made_at, Gadget.parent_id)
_BY_OWNER = select(*_COLUMNS).where(Gadget.owner == bindparam("owner")).order_by(Gadget.made_at)
GADGETS = PreparedSelect(_BY_OWNER)
INSERT = RowInsert(Gadget)


@pytest.fixture
def gadgets(database_url: str) -> Iterator[Database]:
    """The table above, with two of ann's gadgets and one of bob's, and a serving Database."""
    setup = Database(database_url)
    _Base.metadata.create_all(setup.engine, tables=[Gadget.__table__])  # type: ignore[list-item]
    first = uuid.uuid4()
    with setup.session() as session:
        session.add_all(
            [
                Gadget(
                    id=first,
                    owner="ann",
                    settings={"a": [1, 2]},
                    on=True,
                    made_at=datetime(2026, 11, 30, 9, 0),
                ),
                Gadget(
                    id=uuid.uuid4(),
                    owner="ann",
                    settings={},
                    on=False,
                    made_at=datetime(2026, 11, 30, 10, 0),
                    parent_id=first,
                ),
                Gadget(
                    id=uuid.uuid4(),
                    owner="bob",
                    settings={"b": None},
                    on=True,
                    made_at=datetime(2026, 11, 30, 11, 0),
                ),
            ]
        )
    database = Database(database_url, serving=True)
    yield database
    asyncio.run(database.aclose())
    _Base.metadata.drop_all(setup.engine, tables=[Gadget.__table__])  # type: ignore[list-item]
    setup.dispose()


def _both_ways(session: Session, owner: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    ours = GADGETS.rows(session.connection(), {"owner": owner})
    theirs = [tuple(row) for row in session.connection().execute(_BY_OWNER, {"owner": owner})]
    return ours, theirs


def test_a_prepared_select_reads_what_sqlalchemy_reads(gadgets: Database) -> None:
    ours, theirs = asyncio.run(gadgets.read(lambda s: _both_ways(s, "ann")))
    assert ours == theirs
    assert len(ours) == 2
    gadget_id, settings, on, made_at, parent_id = ours[0]
    assert isinstance(gadget_id, uuid.UUID)
    assert (settings, on, parent_id) == ({"a": [1, 2]}, True, None)
    assert made_at.replace(tzinfo=None) == datetime(2026, 11, 30, 9, 0)
    assert ours[1][4] == gadget_id  # a UUID again, not the stored text
    # Inside a unit of work that writes (SQLite: a savepoint of the group commit).
    nobody, _ = asyncio.run(gadgets.write(lambda s: _both_ways(s, "nobody")))
    assert nobody == []


def test_a_prepared_select_names_a_missing_parameter(gadgets: Database) -> None:
    with pytest.raises(ValueError, match="missing parameters: owner"):
        asyncio.run(gadgets.read(lambda s: GADGETS.rows(s.connection(), {})))


def _row(gadget_id: uuid.UUID, owner: str) -> dict[str, Any]:
    made_at = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    return {"id": gadget_id, "owner": owner, "settings": {}, "on": True, "made_at": made_at}


def test_a_driver_error_is_sqlalchemys_and_fails_only_its_own_unit_of_work(
    gadgets: Database,
) -> None:
    taken = asyncio.run(gadgets.read(lambda s: GADGETS.rows(s.connection(), {"owner": "bob"})))[0][
        0
    ]
    fresh = uuid.uuid4()

    async def both() -> tuple[BaseException | None, BaseException | None]:
        return await asyncio.gather(
            gadgets.write(lambda s: INSERT.execute(s, [_row(taken, "secret-owner")])),
            gadgets.write(lambda s: INSERT.execute(s, [_row(fresh, "carol")])),
            return_exceptions=True,
        )

    failed, succeeded = asyncio.run(both())
    assert isinstance(failed, IntegrityError)
    assert "secret-owner" not in str(failed)  # the values are hidden, as the engine hides them
    assert succeeded is None
    carol = asyncio.run(gadgets.read(lambda s: GADGETS.rows(s.connection(), {"owner": "carol"})))
    assert [row[0] for row in carol] == [fresh]


def test_listeners_to_statements_see_those_sent_through_the_driver(gadgets: Database) -> None:
    with recorded_statements(gadgets.serving_engine) as seen:
        ours, theirs = asyncio.run(gadgets.read(lambda s: _both_ways(s, "ann")))
        asyncio.run(gadgets.write(lambda s: INSERT.execute(s, [_row(uuid.uuid4(), "dan")])))
    assert ours == theirs
    selects = [sql for sql in seen if "FROM driver_gadgets" in sql]
    assert len(selects) == 2  # ours and SQLAlchemy's
    assert any(sql.startswith("INSERT INTO driver_gadgets") for sql in seen)


@pytest.mark.postgresql_only
def test_a_unit_of_work_cancelled_while_it_waits_writes_nothing_and_gives_its_connection_back(
    gadgets: Database,
) -> None:
    def insert_then_wait(session: Session) -> None:
        INSERT.execute(session, [_row(uuid.uuid4(), "eve")])
        session.execute(text("SELECT pg_sleep(5)"))

    async def cancelled_midway() -> tuple[int, list[tuple[Any, ...]]]:
        writing = asyncio.create_task(gadgets.write(insert_then_wait))
        await asyncio.sleep(0.5)  # inside pg_sleep, the INSERT made
        writing.cancel()
        with pytest.raises(asyncio.CancelledError):
            await writing
        checked_out = gadgets.serving_engine.pool.checkedout()  # type: ignore[attr-defined]
        eve = await gadgets.read(lambda s: GADGETS.rows(s.connection(), {"owner": "eve"}))
        return checked_out, eve

    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        checked_out, eve = asyncio.run(asyncio.wait_for(cancelled_midway(), 4))
    assert checked_out == 0
    # Given back by the unit of work, not found and dropped by the garbage collector.
    assert not [w for w in warned if "non-checked-in connection" in str(w.message)]
    assert eve == []
