"""Queries for SuccessPlays and their actions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from playrunner.models import (
    AccountRole,
    Flow,
    Form,
    PlayAction,
    SuccessPlay,
    User,
)
from playrunner.pagination import page_of
from playrunner.plays.plan import ActionPlan, PlayPlan

# Deleted plays are kept for their runs' history and are "not found" to every lookup: the one
# definition of a live play.
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
        Flow.key,
    )
    .outerjoin(PlayAction, PlayAction.play_id == SuccessPlay.id)
    .outerjoin(AccountRole, AccountRole.id == PlayAction.assignee_role_id)
    .outerjoin(Flow, Flow.id == PlayAction.flow_id)
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
        flow_key=row[21],
    )


def get_with_actions(
    session: Session, tenant_id: str, play_id: uuid.UUID, *, for_update: bool = False
) -> SuccessPlay | None:
    """The play and its ordered actions, if it belongs to this tenant. ``for_update`` locks
    it (on PostgreSQL) so two changes to one play cannot interleave."""
    query = _WITH_ACTIONS.with_for_update() if for_update else _WITH_ACTIONS
    return session.scalars(query, {"tenant_id": tenant_id, "play_id": play_id}).first()


def names_by_id(session: Session, tenant_id: str, play_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not play_ids:
        return {}
    rows = session.execute(
        select(SuccessPlay.id, SuccessPlay.name).where(
            SuccessPlay.tenant_id == tenant_id, SuccessPlay.id.in_(play_ids)
        )
    )
    return {row[0]: row[1] for row in rows}


def get_by_key(session: Session, tenant_id: str, key: str) -> SuccessPlay | None:
    # Deleted plays have no key, so this finds live plays only.
    return session.scalars(
        select(SuccessPlay)
        .where(SuccessPlay.tenant_id == tenant_id, SuccessPlay.key == key)
        .options(selectinload(SuccessPlay.actions))
    ).first()


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
    query = query.order_by(SuccessPlay.name, SuccessPlay.id)
    return page_of(session, query.options(selectinload(SuccessPlay.actions)), limit, offset)


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


# What a play's actions refer to, by column: the flow of a task, the form of a request, the
# role an item is assigned by.
Reference = InstrumentedAttribute[uuid.UUID | None]


def live_names_using(session: Session, reference: Reference, pk: uuid.UUID) -> list[str]:
    """Names of the live plays with an action that refers to ``pk`` in this column."""
    return list(
        session.scalars(
            select(SuccessPlay.name)
            .join(PlayAction, PlayAction.play_id == SuccessPlay.id)
            .where(reference == pk, _LIVE)
            .distinct()
            .order_by(SuccessPlay.name)
        )
    )


def release_from_deleted(session: Session, reference: Reference, pk: uuid.UUID) -> None:
    """Deleted plays keep their actions for history; those let go of ``pk`` here."""
    session.execute(
        update(PlayAction)
        .where(reference == pk, PlayAction.play_id.in_(select(SuccessPlay.id).where(~_LIVE)))
        .values({reference: None})
        .execution_options(synchronize_session=False)
    )
