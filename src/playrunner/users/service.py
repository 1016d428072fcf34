"""Users of a service: create, change role, (de)activate, and act as one from the CLI."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from playrunner.auth.principal import Principal
from playrunner.errors import Conflict, InvalidRequest, NotFound
from playrunner.models import User, UserRole
from playrunner.users import repository

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if not _EMAIL.match(email) or len(email) > 320:
        raise InvalidRequest(f"{email!r} is not an email address", field="email")
    return email


def create_user(
    session: Session, tenant_id: str, email: str, name: str, role: UserRole = UserRole.USER
) -> User:
    email = normalise_email(email)
    name = name.strip()
    if not name:
        raise InvalidRequest("User name must not be empty", field="name")
    if repository.get_by_email(session, tenant_id, email) is not None:
        raise Conflict(f"User {email} already exists", field="email")
    return repository.add(session, User(tenant_id=tenant_id, email=email, name=name, role=role))


def get_by_email(session: Session, tenant_id: str, email: str) -> User:
    user = repository.get_by_email(session, tenant_id, normalise_email(email))
    if user is None:
        raise NotFound(f"User {email} not found", field="email")
    return user


def list_users(session: Session, tenant_id: str) -> list[User]:
    return repository.list_all(session, tenant_id)


def set_role(session: Session, tenant_id: str, email: str, role: UserRole) -> User:
    user = get_by_email(session, tenant_id, email)
    user.role = role
    session.flush()
    return user


def set_active(session: Session, tenant_id: str, email: str, active: bool) -> User:
    """Deactivating a user stops every one of their tokens at once."""
    user = get_by_email(session, tenant_id, email)
    user.active = active
    session.flush()
    return user


def principal_for(user: User) -> Principal:
    return Principal(
        tenant_id=user.tenant_id,
        user_id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
    )


def act_as(session: Session, tenant_id: str, email: str) -> Principal:
    """The principal for a command run ``--as EMAIL``; a deactivated user may not act."""
    user = get_by_email(session, tenant_id, email)
    if not user.active:
        raise InvalidRequest(f"User {user.email} is deactivated", field="as")
    return principal_for(user)
