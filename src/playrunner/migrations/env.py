"""Alembic environment: runs against the engine Playrunner hands it, or the URL in the
environment when a developer runs ``alembic`` by hand."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Engine, create_engine

from playrunner.config import Settings
from playrunner.migrations import include_name
from playrunner.models import Base
from playrunner.models.base import UTCDateTime


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write our column types as plain SQLAlchemy types, so migrations never import models."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


config = context.config
engine = config.attributes.get("engine")
if not isinstance(engine, Engine):
    engine = create_engine(Settings().database_url)

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode rebuilds a table (copy, drop, rename); with foreign keys enforced, dropping
        # a table that other rows reference fails. SQLite only honours this pragma outside a
        # transaction, hence the raw connection before SQLAlchemy begins one.
        connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # Batch mode lets ALTERs work on SQLite by rebuilding the table.
        render_as_batch=True,
        compare_type=True,
        render_item=render_item,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left rows pointing nowhere: {broken[:5]}")
    connection.commit()
    if sqlite:
        connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
