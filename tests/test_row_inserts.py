"""Rows written through the driver (``row_inserts.RowInsert``) read back as SQLAlchemy wrote
them: Python-side defaults for what a row leaves out, NULL for what has none, each column
converted by its type; rows inserted unless their key is taken say which were; the rows of
one turn of the event loop (``InsertsPerTurn``) go as one statement, and a bad one fails
alone."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, event, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from playrunner.db import Database
from playrunner.row_inserts import InsertsPerTurn, RowInsert


class _Base(DeclarativeBase):
    pass


def _now() -> datetime:
    return datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


class Thing(_Base):
    __tablename__ = "things"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tags: Mapped[list[str]] = mapped_column(JSON)
    kind: Mapped[str] = mapped_column(String(10), default="plain")
    made_at: Mapped[datetime] = mapped_column(default=_now)
    note: Mapped[str | None]


class ServerDefaulted(_Base):
    __tablename__ = "server_defaulted"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(server_default=text("'new'"))


def test_rows_read_back_with_their_defaults_types_and_nulls(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'rows.db'}")
    _Base.metadata.create_all(database.engine, tables=[Thing.__table__])  # type: ignore[list-item]
    first, second = uuid.uuid4(), uuid.uuid4()
    with database.session() as session:
        RowInsert(Thing).execute(
            session,
            [
                {"id": first, "tags": ["a", "b"]},
                {"id": second, "tags": [], "kind": "x", "note": "n"},
            ],
        )
    with database.session(read_only=True) as session:
        found = {t.id: t for t in session.scalars(select(Thing))}
    assert found[first].tags == ["a", "b"]
    assert (found[first].kind, found[first].note) == ("plain", None)
    assert found[first].made_at.replace(tzinfo=UTC) == _now()
    assert (found[second].kind, found[second].note) == ("x", "n")
    database.dispose()


def test_a_column_with_only_a_server_default_is_refused() -> None:
    with pytest.raises(ValueError, match=r"server_defaulted\.state has only a server default"):
        RowInsert(ServerDefaulted)


class Parent(_Base):
    __tablename__ = "row_insert_parents"

    id: Mapped[int] = mapped_column(primary_key=True)


class Keyed(_Base):
    """A row with a unique key of its own and a parent it must have."""

    __tablename__ = "row_insert_keyed"
    __table_args__ = (UniqueConstraint("name"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    parent_id: Mapped[int] = mapped_column(ForeignKey("row_insert_parents.id"))


KEYED = RowInsert(Keyed, unless_key_exists=("name",))


@pytest.fixture
def keyed_tables(database_url: str) -> Iterator[str]:
    """The two tables above in the backend's database (dropped after), with parent 1."""
    setup = Database(database_url)
    tables = [Parent.__table__, Keyed.__table__]
    _Base.metadata.create_all(setup.engine, tables=tables)  # type: ignore[arg-type]
    with setup.session() as session:
        session.add(Parent(id=1))
    yield database_url
    _Base.metadata.drop_all(setup.engine, tables=tables)  # type: ignore[arg-type]
    setup.dispose()


def _row(name: str, parent_id: int = 1) -> dict[str, object]:
    return {"id": uuid.uuid4(), "name": name, "parent_id": parent_id}


def _names(database: Database) -> list[str]:
    with database.session(read_only=True) as session:
        return sorted(session.scalars(select(Keyed.name)))


def test_insert_new_answers_which_rows_it_inserted(keyed_tables: str) -> None:
    database = Database(keyed_tables)
    with database.session() as session:
        KEYED.execute(session, [_row("taken")])
    rows = [_row("a"), _row("taken"), _row("b"), _row("a")]  # a key taken, one repeated
    with database.session() as session:
        inserted = KEYED.insert_new(session.connection(), rows)
    assert inserted == {rows[0]["id"], rows[2]["id"]}
    assert _names(database) == ["a", "b", "taken"]
    database.dispose()


def test_inserts_of_one_turn_are_one_statement_and_a_bad_row_fails_alone(
    keyed_tables: str,
) -> None:
    database = Database(keyed_tables, serving=True)
    statements: list[str] = []
    event.listen(
        database.serving_engine,
        "before_cursor_execute",
        lambda _c, _cur, sql, *_rest: statements.append(sql),
    )
    gathered = InsertsPerTurn(database, KEYED)

    async def insert_all(rows: list[dict[str, object]]) -> list[bool | BaseException]:
        return await asyncio.gather(*(gathered.insert(r) for r in rows), return_exceptions=True)

    first = asyncio.run(insert_all([_row(f"n{n}") for n in range(20)]))
    assert first == [True] * 20
    inserts = [sql for sql in statements if sql.startswith("INSERT INTO row_insert_keyed")]
    assert len(inserts) == 1  # twenty rows, one statement

    # A row without its parent fails its own insert; the others of its turn are stored.
    second = asyncio.run(insert_all([_row("x"), _row("orphan", parent_id=99), _row("n3")]))
    assert second[0] is True
    assert second[2] is False  # n3 was stored by the first turn
    assert isinstance(second[1], IntegrityError)
    assert _names(database) == sorted([f"n{n}" for n in range(20)] + ["x"])
    asyncio.run(database.aclose())
