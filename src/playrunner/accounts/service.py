"""Accounts, their hierarchy, and the account team (role name -> user)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from playrunner.accounts import repository
from playrunner.errors import Conflict, InvalidRequest, NotFound
from playrunner.models import Account, AccountRole, User
from playrunner.users import service as users_service

DEFAULT_ROLES = ("Success Manager", "Sales Manager")


def create_default_roles(session: Session, tenant_id: str) -> None:
    for name in DEFAULT_ROLES:
        repository.add_role(session, AccountRole(tenant_id=tenant_id, name=name))


def add_role(session: Session, tenant_id: str, name: str) -> AccountRole:
    name = name.strip()
    if not name:
        raise InvalidRequest("Account role name must not be empty", field="name")
    if repository.get_role_by_name(session, tenant_id, name) is not None:
        raise Conflict(f"Account role {name!r} already exists", field="name")
    return repository.add_role(session, AccountRole(tenant_id=tenant_id, name=name))


def get_role(session: Session, tenant_id: str, name: str) -> AccountRole:
    role = repository.get_role_by_name(session, tenant_id, name)
    if role is None:
        raise NotFound(f"Account role {name!r} not found", field="role")
    return role


def get_account(session: Session, tenant_id: str, account_id: str) -> Account:
    account = repository.get_by_account_id(session, tenant_id, account_id)
    if account is None:
        raise NotFound(f"Account {account_id!r} not found", field="account_id")
    return account


def create_account(
    session: Session,
    tenant_id: str,
    account_id: str,
    name: str,
    *,
    attributes: dict[str, Any] | None = None,
    parent_account_id: str | None = None,
) -> Account:
    account_id = account_id.strip()
    if not account_id:
        raise InvalidRequest("Account id must not be empty", field="account_id")
    if repository.get_by_account_id(session, tenant_id, account_id) is not None:
        raise Conflict(f"Account {account_id!r} already exists", field="account_id")
    parent = get_account(session, tenant_id, parent_account_id) if parent_account_id else None
    return repository.add(
        session,
        Account(
            tenant_id=tenant_id,
            account_id=account_id,
            name=name.strip() or account_id,
            parent_id=parent.id if parent else None,
            attributes=dict(attributes or {}),
        ),
    )


def assign_role(
    session: Session, tenant_id: str, account: Account, role_name: str, email: str | None
) -> None:
    """Make ``email`` the holder of ``role_name`` on the account (``None`` clears it)."""
    role = get_role(session, tenant_id, role_name)
    user: User | None = users_service.get_by_email(session, tenant_id, email) if email else None
    repository.set_role_holder(session, account.id, role.id, user.id if user else None)


def role_holder(session: Session, account: Account, role: AccountRole) -> User | None:
    return repository.get_role_holder(session, account.id, role.id)


def team(session: Session, account: Account) -> list[tuple[str, User]]:
    return repository.list_role_holders(session, account.id)


def update_attributes(session: Session, account: Account, changes: dict[str, Any]) -> None:
    # A new dict, so the JSON column sees the change.
    account.attributes = {**account.attributes, **changes}
    session.flush()
