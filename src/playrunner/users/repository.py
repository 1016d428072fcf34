"""Queries for users."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from playrunner.models import PasswordLink, User, UserRole
from playrunner.pagination import page_of


def get(session: Session, tenant_id: str, user_id: uuid.UUID) -> User | None:
    user = session.get(User, user_id)
    return user if user is not None and user.tenant_id == tenant_id else None


def get_by_email(session: Session, tenant_id: str, email: str) -> User | None:
    return session.scalars(
        select(User).where(User.tenant_id == tenant_id, User.email == email)
    ).first()


def with_email_anywhere(session: Session, email: str) -> list[User]:
    """The users with this email in every service (a handful at most)."""
    return list(session.scalars(select(User).where(User.email == email).order_by(User.tenant_id)))


def by_emails(session: Session, tenant_id: str, emails: set[str]) -> dict[str, User]:
    found: dict[str, User] = {}
    chunks = sorted(emails)
    for start in range(0, len(chunks), 500):
        for user in session.scalars(
            select(User).where(
                User.tenant_id == tenant_id, User.email.in_(chunks[start : start + 500])
            )
        ):
            found[user.email] = user
    return found


def active_by_ids(
    session: Session, tenant_id: str, user_ids: set[uuid.UUID]
) -> dict[uuid.UUID, tuple[str, bool]]:
    """Email and active flag of each of these users of the tenant."""
    if not user_ids:
        return {}
    rows = session.connection().execute(
        select(User.id, User.email, User.active).where(
            User.tenant_id == tenant_id, User.id.in_(user_ids)
        )
    )
    return {row[0]: (row[1], row[2]) for row in rows}


def find_page(session: Session, tenant_id: str, limit: int, offset: int) -> tuple[list[User], int]:
    """One page of the tenant's users (ordered by email) and how many there are in all."""
    query = select(User).where(User.tenant_id == tenant_id).order_by(User.email, User.id)
    return page_of(session, query, limit, offset)


def lock_active_admin_ids(session: Session, tenant_id: str) -> list[uuid.UUID]:
    """Ids of the tenant's active admins, locked (on PostgreSQL) until the transaction ends,
    so two admins demoting themselves at once cannot both pass the last-admin check."""
    return list(
        session.scalars(
            select(User.id)
            .where(
                User.tenant_id == tenant_id,
                User.role == UserRole.SERVICE_ADMIN,
                User.active.is_(True),
            )
            .with_for_update()
        )
    )


def first_active_admin(session: Session, tenant_id: str) -> User | None:
    query = (
        select(User)
        .where(
            User.tenant_id == tenant_id,
            User.role == UserRole.SERVICE_ADMIN,
            User.active.is_(True),
        )
        .order_by(User.created_at, User.id)
        .limit(1)
    )
    return session.scalars(query).first()


def add(session: Session, user: User) -> User:
    session.add(user)
    session.flush()
    return user


def add_password_link(session: Session, link: PasswordLink) -> PasswordLink:
    session.add(link)
    session.flush()
    return link


def password_link_by_hash(session: Session, secret_hash: str) -> PasswordLink | None:
    """The link, locked (on PostgreSQL) so it cannot be used twice at once."""
    return session.scalars(
        select(PasswordLink).where(PasswordLink.secret_hash == secret_hash).with_for_update()
    ).first()
