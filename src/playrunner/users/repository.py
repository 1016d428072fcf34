"""Queries for users."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from playrunner.models import User


def get(session: Session, tenant_id: str, user_id: uuid.UUID) -> User | None:
    user = session.get(User, user_id)
    return user if user is not None and user.tenant_id == tenant_id else None


def get_by_email(session: Session, tenant_id: str, email: str) -> User | None:
    return session.scalars(
        select(User).where(User.tenant_id == tenant_id, User.email == email)
    ).first()


def list_all(session: Session, tenant_id: str) -> list[User]:
    return list(
        session.scalars(select(User).where(User.tenant_id == tenant_id).order_by(User.email))
    )


def add(session: Session, user: User) -> User:
    session.add(user)
    session.flush()
    return user
