"""Queries for accounts, account roles and who holds them."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, and_, bindparam, or_, select
from sqlalchemy.orm import Session

from playrunner.driver import PreparedSelect
from playrunner.models import (
    Account,
    AccountExternalId,
    AccountRole,
    AccountRoleAssignment,
    User,
)
from playrunner.models.records import AccountSnapshot, RoleHolder
from playrunner.pagination import page_of

_SNAPSHOT_COLUMNS = (
    Account.id,
    Account.tenant_id,
    Account.account_id,
    Account.name,
    Account.parent_id,
    Account.attributes,
)
_SNAPSHOT_BY_ACCOUNT_ID = select(*_SNAPSHOT_COLUMNS).where(
    Account.tenant_id == bindparam("tenant_id"), Account.account_id == bindparam("account_id")
)
_SNAPSHOT_BY_PK = select(*_SNAPSHOT_COLUMNS).where(
    Account.tenant_id == bindparam("tenant_id"), Account.id == bindparam("account_pk")
)
_ROLE_HOLDERS = (
    select(AccountRoleAssignment.role_id, User.id, User.email, User.active)
    .join(User, User.id == AccountRoleAssignment.user_id)
    .where(AccountRoleAssignment.account_id == bindparam("account_pk"))
)


_WITH_TEAM = (
    select(
        *_SNAPSHOT_COLUMNS,
        AccountRoleAssignment.role_id,
        User.id,
        User.email,
        User.active,
    )
    .outerjoin(AccountRoleAssignment, AccountRoleAssignment.account_id == Account.id)
    .outerjoin(User, User.id == AccountRoleAssignment.user_id)
    .where(Account.tenant_id == bindparam("tenant_id"))
)
_SNAPSHOT_WIDTH = len(_SNAPSHOT_COLUMNS)
_ACCOUNT_ID = next(n for n, c in enumerate(_SNAPSHOT_COLUMNS) if c is Account.account_id)
# The trigger's one read (issue 16), for one account or those of trigger calls run together
# (automations/turns.py): through the driver, one statement per power of two of accounts,
# compiled once each (driver.py; a list's expansion on every execution would cost
# SQLAlchemy's work again).
_SNAPSHOTS_WITH_TEAMS: dict[int, PreparedSelect] = {}


def find_snapshots_with_teams(
    session: Session, tenant_id: str, account_ids: Sequence[str]
) -> dict[str, tuple[AccountSnapshot, dict[uuid.UUID, RoleHolder]]]:
    """Each of these (distinct) accounts named by its own id, with everyone on its team (by
    role id), in one query (a row per role held, or one for an account without a team): by
    account id, those found."""
    # Statements for 1, 2, 4, 8, ... accounts, the list filled up by repeating its last id.
    count = 1 << (len(account_ids) - 1).bit_length()
    account_ids = [*account_ids, *[account_ids[-1]] * (count - len(account_ids))]
    prepared = _SNAPSHOTS_WITH_TEAMS.get(count)
    if prepared is None:
        names: list[BindParameter[str]] = [bindparam(f"account_id_{n}") for n in range(count)]
        prepared = PreparedSelect(_WITH_TEAM.where(Account.account_id.in_(names)))
        _SNAPSHOTS_WITH_TEAMS[count] = prepared
    given = {f"account_id_{n}": account_id for n, account_id in enumerate(account_ids)}
    return _with_teams(prepared.rows(session.connection(), {"tenant_id": tenant_id, **given}))


def _with_teams(
    rows: list[tuple[Any, ...]],
) -> dict[str, tuple[AccountSnapshot, dict[uuid.UUID, RoleHolder]]]:
    """Rows of an account and a role held (or none): each account with its team by role."""
    found: dict[str, tuple[AccountSnapshot, dict[uuid.UUID, RoleHolder]]] = {}
    for row in rows:
        account_id = row[_ACCOUNT_ID]
        if account_id not in found:
            found[account_id] = (AccountSnapshot(*row[:_SNAPSHOT_WIDTH]), {})
        if row[_SNAPSHOT_WIDTH] is not None:
            found[account_id][1][row[_SNAPSHOT_WIDTH]] = RoleHolder(*row[_SNAPSHOT_WIDTH:])
    return found


def find_snapshot(session: Session, tenant_id: str, account_id: str) -> AccountSnapshot | None:
    row = (
        session.connection()
        .execute(_SNAPSHOT_BY_ACCOUNT_ID, {"tenant_id": tenant_id, "account_id": account_id})
        .first()
    )
    return AccountSnapshot(*row) if row is not None else None


def get_snapshot(session: Session, tenant_id: str, account_pk: uuid.UUID) -> AccountSnapshot | None:
    row = (
        session.connection()
        .execute(_SNAPSHOT_BY_PK, {"tenant_id": tenant_id, "account_pk": account_pk})
        .first()
    )
    return AccountSnapshot(*row) if row is not None else None


_SNAPSHOTS_BY_PK = select(*_SNAPSHOT_COLUMNS).where(
    Account.tenant_id == bindparam("tenant_id"), Account.id.in_(bindparam("pks", expanding=True))
)
_SNAPSHOTS_BY_ACCOUNT_ID = select(*_SNAPSHOT_COLUMNS).where(
    Account.tenant_id == bindparam("tenant_id"),
    Account.account_id.in_(bindparam("account_ids", expanding=True)),
)
_TEAMS = (
    select(
        AccountRoleAssignment.account_id,
        AccountRoleAssignment.role_id,
        User.id,
        User.email,
        User.active,
    )
    .join(User, User.id == AccountRoleAssignment.user_id)
    .where(AccountRoleAssignment.account_id.in_(bindparam("pks", expanding=True)))
)


def snapshots_by_pk(
    session: Session, tenant_id: str, pks: set[uuid.UUID]
) -> dict[uuid.UUID, AccountSnapshot]:
    """Many accounts at once, by their internal ids (in chunks)."""
    found: dict[uuid.UUID, AccountSnapshot] = {}
    ordered = sorted(pks)
    for start in range(0, len(ordered), 500):
        rows = session.connection().execute(
            _SNAPSHOTS_BY_PK, {"tenant_id": tenant_id, "pks": ordered[start : start + 500]}
        )
        for row in rows:
            found[row[0]] = AccountSnapshot(*row)
    return found


def snapshots_by_account_id(
    session: Session, tenant_id: str, account_ids: list[str]
) -> dict[str, AccountSnapshot]:
    """Many accounts at once, by the customer's ids (in chunks)."""
    found: dict[str, AccountSnapshot] = {}
    for start in range(0, len(account_ids), 500):
        rows = session.connection().execute(
            _SNAPSHOTS_BY_ACCOUNT_ID,
            {"tenant_id": tenant_id, "account_ids": account_ids[start : start + 500]},
        )
        for row in rows:
            found[row[2]] = AccountSnapshot(*row)
    return found


_SNAPSHOTS_BY_EXTERNAL_ID = (
    select(AccountExternalId.external_id, *_SNAPSHOT_COLUMNS)
    .join(Account, Account.id == AccountExternalId.account_id)
    .where(
        AccountExternalId.tenant_id == bindparam("tenant_id"),
        AccountExternalId.external_id.in_(bindparam("external_ids", expanding=True)),
    )
)


def snapshots_by_external_id(
    session: Session, tenant_id: str, external_ids: list[str]
) -> dict[str, AccountSnapshot]:
    """Accounts by their ids in other systems, as stored (in chunks): external id -> account."""
    found: dict[str, AccountSnapshot] = {}
    for start in range(0, len(external_ids), 500):
        rows = session.connection().execute(
            _SNAPSHOTS_BY_EXTERNAL_ID,
            {"tenant_id": tenant_id, "external_ids": external_ids[start : start + 500]},
        )
        for row in rows:
            found[row[0]] = AccountSnapshot(*row[1:])
    return found


def external_ids_of(
    session: Session, account_pks: list[uuid.UUID]
) -> dict[uuid.UUID, dict[str, str]]:
    """System -> external id, for each of these accounts, in one query."""
    result: dict[uuid.UUID, dict[str, str]] = {pk: {} for pk in account_pks}
    if not account_pks:
        return result
    rows = session.execute(
        select(
            AccountExternalId.account_id, AccountExternalId.system, AccountExternalId.external_id
        ).where(AccountExternalId.account_id.in_(account_pks))
    )
    for account_pk, system, external_id in rows:
        result[account_pk][system] = external_id
    return result


def holders_of_external_ids(
    session: Session, tenant_id: str, external_ids: list[str]
) -> dict[str, uuid.UUID]:
    """Which account holds each of these external ids (any system): external id -> account."""
    found: dict[str, uuid.UUID] = {}
    for start in range(0, len(external_ids), 500):
        rows = session.execute(
            select(AccountExternalId.external_id, AccountExternalId.account_id).where(
                AccountExternalId.tenant_id == tenant_id,
                AccountExternalId.external_id.in_(external_ids[start : start + 500]),
            )
        )
        for external_id, account_pk in rows:
            found[external_id] = account_pk
    return found


def set_external_id(
    session: Session, tenant_id: str, account_pk: uuid.UUID, system: str, value: str | None
) -> None:
    """The account's id in ``system`` becomes ``value`` (None: it has none there)."""
    row = session.get(AccountExternalId, (account_pk, system))
    if value is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(
            AccountExternalId(
                account_id=account_pk, system=system, tenant_id=tenant_id, external_id=value
            )
        )
    else:
        row.external_id = value
    session.flush()


def snapshots_matching(
    session: Session, tenant_id: str, attributes: dict[str, str], limit: int
) -> list[AccountSnapshot]:
    """Accounts whose attributes equal these values (as in the listing's filter), by id."""
    query = select(*_SNAPSHOT_COLUMNS).where(Account.tenant_id == tenant_id)
    for name, text in attributes.items():
        query = query.where(_attribute_equals(name, text))
    rows = session.connection().execute(query.order_by(Account.account_id).limit(limit))
    return [AccountSnapshot(*row) for row in rows]


def teams_of(
    session: Session, account_pks: set[uuid.UUID]
) -> dict[uuid.UUID, dict[uuid.UUID, RoleHolder]]:
    """Everyone on these accounts' teams: account -> role id -> holder (in chunks)."""
    if len(account_pks) == 1:
        # One account (a trigger's run on the account's parent), by a plain parameter: an IN
        # list's expansion is SQLAlchemy's work on every execution.
        (only,) = account_pks
        return {only: role_holders(session, only)}
    teams: dict[uuid.UUID, dict[uuid.UUID, RoleHolder]] = {pk: {} for pk in account_pks}
    ordered = sorted(account_pks)
    for start in range(0, len(ordered), 500):
        rows = session.connection().execute(_TEAMS, {"pks": ordered[start : start + 500]})
        for account_pk, role_id, user_id, email, active in rows:
            teams[account_pk][role_id] = RoleHolder(role_id, user_id, email, active)
    return teams


def lock(session: Session, account_pks: set[uuid.UUID]) -> None:
    """Hold these accounts' rows until the transaction ends (``FOR UPDATE``; SQLite, with its
    single writer, needs no lock and SQLAlchemy leaves the clause out there)."""
    ordered = sorted(account_pks)
    for start in range(0, len(ordered), 500):
        session.execute(
            select(Account.id).where(Account.id.in_(ordered[start : start + 500])).with_for_update()
        ).all()


def role_holders(session: Session, account_pk: uuid.UUID) -> dict[uuid.UUID, RoleHolder]:
    """Everyone on the account's team, by role id, in one query."""
    rows = session.connection().execute(_ROLE_HOLDERS, {"account_pk": account_pk})
    return {row[0]: RoleHolder(*row) for row in rows}


_BY_ACCOUNT_ID = select(Account).where(
    Account.tenant_id == bindparam("tenant_id"), Account.account_id == bindparam("account_id")
)

_ROLE_HOLDER = (
    select(User)
    .join(AccountRoleAssignment, AccountRoleAssignment.user_id == User.id)
    .where(
        and_(
            AccountRoleAssignment.account_id == bindparam("account_pk"),
            AccountRoleAssignment.role_id == bindparam("role_id"),
        )
    )
)


_BY_ACCOUNT_ID_FOR_UPDATE = _BY_ACCOUNT_ID.with_for_update().execution_options(
    populate_existing=True
)


def get_by_account_id(
    session: Session, tenant_id: str, account_id: str, *, for_update: bool = False
) -> Account | None:
    """The account with the customer's own id, in this tenant only; ``for_update`` locks it
    (on PostgreSQL) until the transaction ends, so changes of one account take turns."""
    query = _BY_ACCOUNT_ID_FOR_UPDATE if for_update else _BY_ACCOUNT_ID
    return session.scalars(query, {"tenant_id": tenant_id, "account_id": account_id}).first()


def get(session: Session, tenant_id: str, account_pk: uuid.UUID) -> Account | None:
    account = session.get(Account, account_pk)
    return account if account is not None and account.tenant_id == tenant_id else None


def add(session: Session, account: Account) -> Account:
    session.add(account)
    session.flush()
    return account


@dataclass(frozen=True)
class AccountFilter:
    search: str | None = None  # part of the id or name, any case
    parent_pk: uuid.UUID | None = None
    # (attribute name, value as text): matches text, numbers and true/false alike.
    attributes: tuple[tuple[str, str], ...] = ()
    holder_user_id: uuid.UUID | None = None
    holder_role_id: uuid.UUID | None = None


def _attribute_equals(name: str, text: str) -> ColumnElement[bool]:
    value = Account.attributes[name]
    matches: list[ColumnElement[bool]] = [value.as_string() == text]
    if text in ("true", "false"):
        matches.append(value.as_boolean() == (text == "true"))
    else:
        with contextlib.suppress(ValueError):
            matches.append(value.as_float() == float(text))
    return or_(*matches)


def find_page(
    session: Session, tenant_id: str, where: AccountFilter, limit: int, offset: int
) -> tuple[list[Account], int]:
    """One page of accounts (ordered by account id) and how many match in all."""
    query = select(Account).where(Account.tenant_id == tenant_id)
    if where.search is not None:
        query = query.where(
            or_(
                Account.account_id.icontains(where.search, autoescape=True),
                Account.name.icontains(where.search, autoescape=True),
            )
        )
    if where.parent_pk is not None:
        query = query.where(Account.parent_id == where.parent_pk)
    for name, text in where.attributes:
        query = query.where(_attribute_equals(name, text))
    if where.holder_user_id is not None:
        holds = select(AccountRoleAssignment.account_id).where(
            AccountRoleAssignment.user_id == where.holder_user_id
        )
        if where.holder_role_id is not None:
            holds = holds.where(AccountRoleAssignment.role_id == where.holder_role_id)
        query = query.where(Account.id.in_(holds))
    return page_of(session, query.order_by(Account.account_id), limit, offset)


def by_account_ids(session: Session, tenant_id: str, account_ids: list[str]) -> dict[str, Account]:
    """The tenant's accounts with these ids (in chunks, so 10,000 ids are fine)."""
    found: dict[str, Account] = {}
    for start in range(0, len(account_ids), 500):
        chunk = account_ids[start : start + 500]
        for account in session.scalars(
            select(Account).where(Account.tenant_id == tenant_id, Account.account_id.in_(chunk))
        ):
            found[account.account_id] = account
    return found


def account_ids_by_pk(session: Session, pks: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not pks:
        return {}
    rows = session.execute(select(Account.id, Account.account_id).where(Account.id.in_(pks)))
    return {row[0]: row[1] for row in rows}


def teams(session: Session, account_pks: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, str]]:
    """Role name -> holder email, for each of these accounts, in one query."""
    result: dict[uuid.UUID, dict[str, str]] = {pk: {} for pk in account_pks}
    if not account_pks:
        return result
    rows = session.execute(
        select(AccountRoleAssignment.account_id, AccountRole.name, User.email)
        .join(AccountRole, AccountRole.id == AccountRoleAssignment.role_id)
        .join(User, User.id == AccountRoleAssignment.user_id)
        .where(AccountRoleAssignment.account_id.in_(account_pks))
    )
    for account_pk, role, email in rows:
        result[account_pk][role] = email
    return result


def delete(session: Session, account: Account) -> None:
    session.delete(account)
    session.flush()


def get_role_by_name(
    session: Session, tenant_id: str, name: str, *, for_update: bool = False
) -> AccountRole | None:
    query = select(AccountRole).where(AccountRole.tenant_id == tenant_id, AccountRole.name == name)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalars(query).first()


def list_roles(session: Session, tenant_id: str) -> list[AccountRole]:
    return list(
        session.scalars(
            select(AccountRole).where(AccountRole.tenant_id == tenant_id).order_by(AccountRole.name)
        )
    )


def add_role(session: Session, role: AccountRole) -> AccountRole:
    session.add(role)
    session.flush()
    return role


def delete_role(session: Session, role: AccountRole) -> None:
    session.delete(role)
    session.flush()


def get_role_holder(session: Session, account_pk: uuid.UUID, role_id: uuid.UUID) -> User | None:
    return session.scalars(_ROLE_HOLDER, {"account_pk": account_pk, "role_id": role_id}).first()


def set_role_holder(
    session: Session, account_pk: uuid.UUID, role_id: uuid.UUID, user_id: uuid.UUID | None
) -> None:
    assignment = session.get(AccountRoleAssignment, (account_pk, role_id))
    if user_id is None:
        if assignment is not None:
            session.delete(assignment)
    elif assignment is None:
        session.add(AccountRoleAssignment(account_id=account_pk, role_id=role_id, user_id=user_id))
    else:
        assignment.user_id = user_id
    session.flush()


def list_role_holders(session: Session, account_pk: uuid.UUID) -> list[tuple[str, User]]:
    rows = session.execute(
        select(AccountRole.name, User)
        .join(AccountRoleAssignment, AccountRoleAssignment.role_id == AccountRole.id)
        .join(User, User.id == AccountRoleAssignment.user_id)
        .where(AccountRoleAssignment.account_id == account_pk)
        .order_by(AccountRole.name)
    )
    return [(name, user) for name, user in rows]
