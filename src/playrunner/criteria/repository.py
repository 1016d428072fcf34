"""Queries for event criteria: the plays that have them, the checks waiting, and whether each
account is inside each play's criteria."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from playrunner.models import (
    Account,
    CriteriaCheck,
    CriteriaCheckStatus,
    CriteriaState,
    DailyCriteriaCheck,
    SuccessPlay,
)
from playrunner.outbox import lease
from playrunner.row_inserts import RowInsert

_INSERT_CHECK = RowInsert(CriteriaCheck)


@dataclass(frozen=True, slots=True)
class TakenCheck:
    id: uuid.UUID
    tenant_id: str
    account_id: uuid.UUID
    changes: dict[str, Any] | None
    attributes: dict[str, Any] | None
    actor_user_id: uuid.UUID | None
    created_at: datetime


def _live_criteria_plays(tenant_id: str) -> Any:
    return (
        select(SuccessPlay.id, SuccessPlay.event_criteria)
        .where(
            SuccessPlay.tenant_id == tenant_id,
            SuccessPlay.event_trigger.is_(True),
            SuccessPlay.active.is_(True),
            SuccessPlay.deleted_at.is_(None),
            SuccessPlay.event_criteria.is_not(None),
        )
        .order_by(SuccessPlay.created_at, SuccessPlay.id)
    )


def criteria_plays(session: Session, tenant_id: str) -> list[tuple[uuid.UUID, dict[str, Any]]]:
    """The service's active event plays that have criteria, oldest first."""
    return [(row[0], row[1]) for row in session.execute(_live_criteria_plays(tenant_id))]


def any_criteria_play(session: Session, tenant_id: str) -> bool:
    return session.execute(_live_criteria_plays(tenant_id).limit(1)).first() is not None


def add_checks(session: Session, rows: list[dict[str, Any]]) -> None:
    _INSERT_CHECK.execute(session, rows)


def take_checks(session: Session, ids: Sequence[uuid.UUID], now: datetime) -> list[TakenCheck]:
    """Delete those of these checks that are due and free, and return them, oldest first
    (each has one winner; the caller makes them in the same transaction)."""
    if not ids:
        return []
    taken = session.execute(
        delete(CriteriaCheck)
        .where(CriteriaCheck.id.in_(ids), *lease.due_and_free(CriteriaCheck, now))
        .returning(
            CriteriaCheck.id,
            CriteriaCheck.tenant_id,
            CriteriaCheck.account_id,
            CriteriaCheck.changes,
            CriteriaCheck.attributes,
            CriteriaCheck.actor_user_id,
            CriteriaCheck.created_at,
        )
        .execution_options(synchronize_session=False)
    )
    found = [TakenCheck(*row) for row in taken]
    found.sort(key=lambda c: c.created_at)
    return found


def any_pending_check(session: Session) -> bool:
    query = select(CriteriaCheck.id).where(CriteriaCheck.status == CriteriaCheckStatus.PENDING)
    return session.scalar(query.limit(1)) is not None


def states(
    session: Session, play_ids: Sequence[uuid.UUID], account_id: uuid.UUID
) -> dict[uuid.UUID, tuple[bool, datetime]]:
    """Whether the account is inside each of these plays' criteria, and since when (no row:
    it is not), locked until the transaction ends."""
    query = (
        select(CriteriaState.play_id, CriteriaState.inside, CriteriaState.changed_at)
        .where(CriteriaState.play_id.in_(play_ids), CriteriaState.account_id == account_id)
        .with_for_update()
    )
    return {row[0]: (row[1], row[2]) for row in session.execute(query)}


def set_state(
    session: Session,
    tenant_id: str,
    play_id: uuid.UUID,
    account_id: uuid.UUID,
    inside: bool,
    now: datetime,
) -> None:
    changed = session.execute(
        update(CriteriaState)
        .where(CriteriaState.play_id == play_id, CriteriaState.account_id == account_id)
        .values(inside=inside, changed_at=now)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount == 0:  # type: ignore[attr-defined]
        session.execute(
            insert(CriteriaState).values(
                play_id=play_id,
                account_id=account_id,
                tenant_id=tenant_id,
                inside=inside,
                changed_at=now,
            )
        )


def inside_count(session: Session, tenant_id: str, play_id: uuid.UUID) -> int:
    query = select(func.count()).where(
        CriteriaState.tenant_id == tenant_id,
        CriteriaState.play_id == play_id,
        CriteriaState.inside.is_(True),
    )
    return session.scalar(query) or 0


def tenants_with_criteria_plays(session: Session) -> list[str]:
    query = (
        select(SuccessPlay.tenant_id)
        .where(
            SuccessPlay.event_trigger.is_(True),
            SuccessPlay.active.is_(True),
            SuccessPlay.deleted_at.is_(None),
            SuccessPlay.event_criteria.is_not(None),
        )
        .distinct()
    )
    return list(session.scalars(query))


def claim_day(session: Session, tenant_id: str, day: date, accounts: int, now: datetime) -> bool:
    """Record that the service's daily check of ``day`` is being queued; False when it was."""
    exists = session.scalar(
        select(func.count()).where(
            DailyCriteriaCheck.tenant_id == tenant_id, DailyCriteriaCheck.day == day
        )
    )
    if exists:
        return False
    session.add(DailyCriteriaCheck(tenant_id=tenant_id, day=day, accounts=accounts, created_at=now))
    session.flush()
    return True


def account_ids(session: Session, tenant_id: str) -> list[uuid.UUID]:
    return list(session.scalars(select(Account.id).where(Account.tenant_id == tenant_id)))


def accounts_with_attributes(
    session: Session, tenant_id: str
) -> list[tuple[uuid.UUID, dict[str, Any]]]:
    query = select(Account.id, Account.attributes).where(Account.tenant_id == tenant_id)
    return [(row[0], row[1]) for row in session.execute(query)]


def reset_states(
    session: Session, tenant_id: str, play_id: uuid.UUID, inside: Sequence[uuid.UUID], now: datetime
) -> None:
    """Forget the play's states; record these accounts as inside its criteria."""
    session.execute(delete(CriteriaState).where(CriteriaState.play_id == play_id))
    rows = [
        {
            "play_id": play_id,
            "account_id": pk,
            "tenant_id": tenant_id,
            "inside": True,
            "changed_at": now,
        }
        for pk in inside
    ]
    for start in range(0, len(rows), 1000):
        session.execute(insert(CriteriaState), rows[start : start + 1000])
