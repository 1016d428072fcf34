"""Queries for SuccessPlays and their actions."""

from __future__ import annotations

import uuid

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, selectinload

from playrunner.models import SuccessPlay

_WITH_ACTIONS = (
    select(SuccessPlay)
    .where(SuccessPlay.tenant_id == bindparam("tenant_id"), SuccessPlay.id == bindparam("play_id"))
    .options(selectinload(SuccessPlay.actions))
)


def get_with_actions(session: Session, tenant_id: str, play_id: uuid.UUID) -> SuccessPlay | None:
    """The play and its ordered actions, if it belongs to this tenant."""
    return session.scalars(_WITH_ACTIONS, {"tenant_id": tenant_id, "play_id": play_id}).first()


def list_all(session: Session, tenant_id: str) -> list[SuccessPlay]:
    return list(
        session.scalars(
            select(SuccessPlay)
            .where(SuccessPlay.tenant_id == tenant_id)
            .order_by(SuccessPlay.name, SuccessPlay.id)
        )
    )


def add(session: Session, play: SuccessPlay) -> SuccessPlay:
    session.add(play)
    session.flush()
    return play
