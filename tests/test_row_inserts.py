"""Rows written through the driver (``row_inserts.RowInsert``) read back as SQLAlchemy wrote
them: Python-side defaults for what a row leaves out, NULL for what has none, each column
converted by its type."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import JSON, String, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from playrunner.db import Database
from playrunner.row_inserts import RowInsert


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
