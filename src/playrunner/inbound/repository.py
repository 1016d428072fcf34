"""Queries for event sources, their rules and the events received."""

from __future__ import annotations

import uuid
import weakref
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from playrunner.db import Database
from playrunner.models import (
    Account,
    EventRule,
    EventSource,
    InboundEvent,
    InboundEventStatus,
    SuccessPlay,
)
from playrunner.outbox import lease
from playrunner.row_inserts import InsertsPerTurn, RowInsert


def sources(session: Session, tenant_id: str) -> Sequence[EventSource]:
    query = (
        select(EventSource)
        .where(EventSource.tenant_id == tenant_id)
        .order_by(EventSource.created_at, EventSource.id)
    )
    return session.scalars(query).all()


def source(
    session: Session, tenant_id: str, source_id: uuid.UUID, *, for_update: bool = False
) -> EventSource | None:
    query = select(EventSource).where(
        EventSource.tenant_id == tenant_id, EventSource.id == source_id
    )
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def source_anywhere(session: Session, source_id: uuid.UUID) -> EventSource | None:
    """The source an event is posted to (the caller is known by its signature only)."""
    return session.get(EventSource, source_id)


def name_taken(session: Session, tenant_id: str, name: str) -> bool:
    query = select(EventSource.id).where(
        EventSource.tenant_id == tenant_id, EventSource.name == name
    )
    return session.scalar(query) is not None


def rules(session: Session, source_id: uuid.UUID) -> Sequence[EventRule]:
    query = (
        select(EventRule)
        .where(EventRule.source_id == source_id)
        .order_by(EventRule.position, EventRule.created_at)
    )
    return session.scalars(query).all()


def rule(session: Session, source_id: uuid.UUID, rule_id: uuid.UUID) -> EventRule | None:
    query = select(EventRule).where(EventRule.source_id == source_id, EventRule.id == rule_id)
    return session.scalars(query.with_for_update()).first()


def next_position(session: Session, source_id: uuid.UUID) -> int:
    query = select(func.max(EventRule.position)).where(EventRule.source_id == source_id)
    highest = session.scalar(query)
    return 0 if highest is None else highest + 1


def play_names(session: Session, play_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not play_ids:
        return {}
    query = select(SuccessPlay.id, SuccessPlay.name).where(SuccessPlay.id.in_(play_ids))
    return {row[0]: row[1] for row in session.execute(query)}


_STORE_EVENT = RowInsert(InboundEvent, unless_key_exists=("source_id", "event_id"))


_stored: weakref.WeakKeyDictionary[Database, InsertsPerTurn] = weakref.WeakKeyDictionary()


async def store_event(database: Database, row: dict[str, object]) -> bool:
    """Store an event (committed) unless its source has one with its id: whether it was
    stored. Through the driver, with the other events received in this turn of the event
    loop (``row_inserts``): receiving is kept cheap."""
    gathered = _stored.get(database)
    if gathered is None:
        gathered = _stored[database] = InsertsPerTurn(database, _STORE_EVENT)
    return await gathered.insert(row)


def event_for_update(session: Session, event_id: uuid.UUID) -> InboundEvent | None:
    return lease.row_for_update(session, InboundEvent, event_id)  # type: ignore[no-any-return]


def events(
    session: Session, source_id: uuid.UUID, limit: int
) -> list[tuple[InboundEvent, str | None]]:
    """The source's latest events, newest first, with the account id each one named."""
    query = (
        select(InboundEvent, Account.account_id)
        .outerjoin(Account, Account.id == InboundEvent.account_id)
        .where(InboundEvent.source_id == source_id)
        .order_by(InboundEvent.created_at.desc(), InboundEvent.id)
        .limit(limit)
    )
    return [(row[0], row[1]) for row in session.execute(query)]


def any_pending_event(session: Session) -> bool:
    query = select(InboundEvent.id).where(InboundEvent.status == InboundEventStatus.PENDING)
    return session.scalar(query.limit(1)) is not None


def due_now(session: Session, ids: Sequence[uuid.UUID], now: datetime) -> list[uuid.UUID]:
    query = select(InboundEvent.id).where(
        InboundEvent.id.in_(ids), *lease.due_and_free(InboundEvent, now)
    )
    return list(session.scalars(query))
