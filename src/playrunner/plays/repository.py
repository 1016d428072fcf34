"""Queries for SuccessPlays and their actions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, bindparam, func, select, update
from sqlalchemy.orm import Session, selectinload

from playrunner.clock import utcnow
from playrunner.models import (
    AccountRole,
    Flow,
    Form,
    FormRequest,
    FormRequestStatus,
    PlayAction,
    SuccessPlay,
    Task,
    TaskStatus,
    User,
)
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
        SuccessPlay.duplicate_policy,
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
        duplicate_policy=first[6],
        actions=tuple(_action(row) for row in rows if row[7] is not None),
    )


def _action(row: Sequence[Any]) -> ActionPlan:
    return ActionPlan(
        position=row[7],
        type=row[8],
        assignee_kind=row[9],
        assignee_role_id=row[10],
        assignee_role_name=row[11],
        assignee_user_id=row[12],
        due_in_days=row[13],
        title_template=row[14],
        description_template=row[15],
        flow_id=row[16],
        priority=row[17],
        touchpoint_required=row[18],
        form_id=row[19],
        instructions=row[20],
    )


def get_with_actions(
    session: Session, tenant_id: str, play_id: uuid.UUID, *, for_update: bool = False
) -> SuccessPlay | None:
    """The play and its ordered actions, if it belongs to this tenant. ``for_update`` locks
    it (on PostgreSQL) so two changes to one play cannot interleave."""
    query = _WITH_ACTIONS.with_for_update() if for_update else _WITH_ACTIONS
    return session.scalars(query, {"tenant_id": tenant_id, "play_id": play_id}).first()


def get_by_key(session: Session, tenant_id: str, key: str) -> SuccessPlay | None:
    # Deleted plays have no key, so this finds live plays only.
    return session.scalars(
        select(SuccessPlay)
        .where(SuccessPlay.tenant_id == tenant_id, SuccessPlay.key == key)
        .options(selectinload(SuccessPlay.actions))
    ).first()


def list_all(session: Session, tenant_id: str) -> list[SuccessPlay]:
    """Every live play of the tenant with its actions, ordered by name."""
    return list(
        session.scalars(
            select(SuccessPlay)
            .where(SuccessPlay.tenant_id == tenant_id, _LIVE)
            .order_by(SuccessPlay.name, SuccessPlay.id)
            .options(selectinload(SuccessPlay.actions))
        )
    )


@dataclass(frozen=True)
class PlayFilter:
    trigger: Literal["manual", "event"] | None = None
    active: bool | None = None


def find_page(
    session: Session, tenant_id: str, where: PlayFilter, limit: int, offset: int
) -> tuple[list[SuccessPlay], int]:
    """One page of live plays with their actions (ordered by name) and how many match."""
    query = select(SuccessPlay).where(SuccessPlay.tenant_id == tenant_id, _LIVE)
    if where.trigger == "manual":
        query = query.where(SuccessPlay.manual_trigger.is_(True))
    elif where.trigger == "event":
        query = query.where(SuccessPlay.event_trigger.is_(True))
    if where.active is not None:
        query = query.where(SuccessPlay.active.is_(where.active))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.scalars(
        query.order_by(SuccessPlay.name, SuccessPlay.id)
        .limit(limit)
        .offset(offset)
        .options(selectinload(SuccessPlay.actions))
    )
    return list(page), total


@dataclass(frozen=True)
class ActionNames:
    """What an action refers to, by the names a play is written with."""

    flow: str | None
    form: str | None
    role: str | None
    email: str | None


def action_names(session: Session, play_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, ActionNames]:
    """For every action of these plays (by action id): its flow key, form name, role name and
    user email, in one query."""
    if not play_ids:
        return {}
    rows = session.execute(
        select(PlayAction.id, Flow.key, Form.name, AccountRole.name, User.email)
        .outerjoin(Flow, Flow.id == PlayAction.flow_id)
        .outerjoin(Form, Form.id == PlayAction.form_id)
        .outerjoin(AccountRole, AccountRole.id == PlayAction.assignee_role_id)
        .outerjoin(User, User.id == PlayAction.assignee_user_id)
        .where(PlayAction.play_id.in_(play_ids))
    )
    return {row[0]: ActionNames(*row[1:]) for row in rows}


def add(session: Session, play: SuccessPlay) -> SuccessPlay:
    session.add(play)
    session.flush()
    return play


def replace_actions(session: Session, play: SuccessPlay, actions: list[PlayAction]) -> None:
    """Swap the play's actions for these. The old rows go first: positions are unique."""
    play.actions.clear()
    session.flush()
    play.actions.extend(actions)
    session.flush()


# A play's open work: tasks not yet completed or cancelled, form requests not yet answered.
_OPEN_TASK_STATUSES = (TaskStatus.NOT_STARTED, TaskStatus.STARTED)


def _open_tasks(tenant_id: str, play_id: uuid.UUID) -> tuple[ColumnElement[bool], ...]:
    return (
        Task.tenant_id == tenant_id,
        Task.play_id == play_id,
        Task.status.in_(_OPEN_TASK_STATUSES),
    )


def _open_form_requests(tenant_id: str, play_id: uuid.UUID) -> tuple[ColumnElement[bool], ...]:
    return (
        FormRequest.tenant_id == tenant_id,
        FormRequest.play_id == play_id,
        FormRequest.status == FormRequestStatus.OPEN,
    )


def count_open_items(session: Session, tenant_id: str, play_id: uuid.UUID) -> tuple[int, int]:
    """How many open tasks and open form requests the play has made."""
    tasks = session.scalar(
        select(func.count()).select_from(Task).where(*_open_tasks(tenant_id, play_id))
    )
    requests = session.scalar(
        select(func.count())
        .select_from(FormRequest)
        .where(*_open_form_requests(tenant_id, play_id))
    )
    return tasks or 0, requests or 0


def cancel_open_items(session: Session, tenant_id: str, play_id: uuid.UUID) -> None:
    """Cancel the play's open tasks and open form requests."""
    session.execute(
        update(Task)
        .where(*_open_tasks(tenant_id, play_id))
        .values(status=TaskStatus.CANCELLED, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(FormRequest)
        .where(*_open_form_requests(tenant_id, play_id))
        .values(status=FormRequestStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )
