"""Queries for idempotency keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from playrunner.models import IdempotencyKey


def claim(session: Session, values: dict[str, Any]) -> bool:
    """Insert the key unless (caller, key) exists; True when this call inserted it.

    ``ON CONFLICT DO NOTHING`` waits, on PostgreSQL, for a concurrent transaction holding
    the same key to finish, so exactly one of many simultaneous requests claims it.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(IdempotencyKey)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["caller", "key"])
        .returning(IdempotencyKey.id)
    )
    # RETURNING rather than rowcount, which not every driver reports for this statement.
    return session.execute(statement).first() is not None


def get(session: Session, caller: str, key: str) -> IdempotencyKey | None:
    return session.scalars(
        select(IdempotencyKey).where(IdempotencyKey.caller == caller, IdempotencyKey.key == key)
    ).first()


def remove(session: Session, record: IdempotencyKey) -> None:
    session.delete(record)
    session.flush()


def purge_expired(session: Session, now: datetime) -> None:
    session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at <= now))
