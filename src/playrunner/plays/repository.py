"""Queries for SuccessPlays and their actions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, selectinload

from playrunner.models import AccountRole, PlayAction, SuccessPlay
from playrunner.plays.plan import ActionPlan, PlayPlan

# Deleted plays are kept for their runs' history and are "not found" to every lookup.
_LIVE = SuccessPlay.deleted_at.is_(None)

_WITH_ACTIONS = (
    select(SuccessPlay)
    .where(
        SuccessPlay.tenant_id == bindparam("tenant_id"),
        SuccessPlay.id == bindparam("play_id"),
        _LIVE,
    )
    .options(selectinload(SuccessPlay.actions))
)


_PLAN = (
    select(
        SuccessPlay.id,
        SuccessPlay.tenant_id,
        SuccessPlay.name,
        SuccessPlay.active,
        SuccessPlay.manual_trigger,
        SuccessPlay.apply_to_parent,
        PlayAction.position,
        PlayAction.type,
        PlayAction.assignee_kind,
        PlayAction.assignee_role_id,
        AccountRole.name,
        PlayAction.assignee_user_id,
        PlayAction.due_in_days,
        PlayAction.title_template,
        PlayAction.description_template,
        PlayAction.flow_id,
        PlayAction.priority,
        PlayAction.touchpoint_required,
        PlayAction.form_id,
        PlayAction.instructions,
    )
    .outerjoin(PlayAction, PlayAction.play_id == SuccessPlay.id)
    .outerjoin(AccountRole, AccountRole.id == PlayAction.assignee_role_id)
    .where(
        SuccessPlay.tenant_id == bindparam("tenant_id"),
        SuccessPlay.id == bindparam("play_id"),
        _LIVE,
    )
    .order_by(PlayAction.position)
)


def load_plan(session: Session, tenant_id: str, play_id: uuid.UUID) -> PlayPlan | None:
    """The play as the engine needs it, with its ordered actions, in one query."""
    rows = session.connection().execute(_PLAN, {"tenant_id": tenant_id, "play_id": play_id}).all()
    if not rows:
        return None
    first = rows[0]
    return PlayPlan(
        id=first[0],
        tenant_id=first[1],
        name=first[2],
        active=first[3],
        manual_trigger=first[4],
        apply_to_parent=first[5],
        actions=tuple(_action(row) for row in rows if row[6] is not None),
    )


def _action(row: Sequence[Any]) -> ActionPlan:
    return ActionPlan(
        position=row[6],
        type=row[7],
        assignee_kind=row[8],
        assignee_role_id=row[9],
        assignee_role_name=row[10],
        assignee_user_id=row[11],
        due_in_days=row[12],
        title_template=row[13],
        description_template=row[14],
        flow_id=row[15],
        priority=row[16],
        touchpoint_required=row[17],
        form_id=row[18],
        instructions=row[19],
    )


def get_with_actions(session: Session, tenant_id: str, play_id: uuid.UUID) -> SuccessPlay | None:
    """The play and its ordered actions, if it belongs to this tenant."""
    return session.scalars(_WITH_ACTIONS, {"tenant_id": tenant_id, "play_id": play_id}).first()


def list_all(session: Session, tenant_id: str) -> list[SuccessPlay]:
    return list(
        session.scalars(
            select(SuccessPlay)
            .where(SuccessPlay.tenant_id == tenant_id, _LIVE)
            .order_by(SuccessPlay.name, SuccessPlay.id)
        )
    )


def add(session: Session, play: SuccessPlay) -> SuccessPlay:
    session.add(play)
    session.flush()
    return play
