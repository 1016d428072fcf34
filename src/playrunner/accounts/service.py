"""Accounts, their hierarchy, and the account team (role name -> user)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from playrunner.accounts import repository
from playrunner.accounts.external_ids import lookup_forms
from playrunner.accounts.repository import AccountFilter
from playrunner.accounts.schemas import (
    AccountPatch,
    AccountRead,
    AccountWrite,
)
from playrunner.criteria import changes as criteria_changes
from playrunner.errors import Conflict, InvalidRequest, NotFound
from playrunner.models import Account, AccountRole, User
from playrunner.models.records import AccountSnapshot, RoleHolder
from playrunner.plays import usage as plays_usage
from playrunner.users import service as users_service
from playrunner.validation import parse_model

DEFAULT_ROLES = ("Success Manager", "Sales Manager")
# Deep enough for any real hierarchy; guards the walk up against a corrupted loop.
_MAX_DEPTH = 1000


# Roles -----------------------------------------------------------------------------------


def create_default_roles(session: Session, tenant_id: str) -> None:
    for name in DEFAULT_ROLES:
        repository.add_role(session, AccountRole(tenant_id=tenant_id, name=name))


def list_roles(session: Session, tenant_id: str) -> list[AccountRole]:
    return repository.list_roles(session, tenant_id)


def add_role(session: Session, tenant_id: str, name: str) -> AccountRole:
    name = name.strip()
    if not name:
        raise InvalidRequest("Account role name must not be empty", field="name")
    if repository.get_role_by_name(session, tenant_id, name) is not None:
        raise Conflict(f"Account role {name!r} already exists", field="name")
    return repository.add_role(session, AccountRole(tenant_id=tenant_id, name=name))


def find_role(session: Session, tenant_id: str, name: str) -> AccountRole | None:
    return repository.get_role_by_name(session, tenant_id, name)


def get_role(
    session: Session, tenant_id: str, name: str, *, for_update: bool = False
) -> AccountRole:
    """The role; ``for_update`` locks it until the transaction ends (to change it)."""
    role = repository.get_role_by_name(session, tenant_id, name, for_update=for_update)
    if role is None:
        raise NotFound(f"Account role {name!r} not found", field="role")
    return role


def rename_role(session: Session, tenant_id: str, name: str, new_name: str) -> AccountRole:
    """Rename a role; who holds it, and the plays that assign work by it, follow."""
    role = get_role(session, tenant_id, name, for_update=True)
    new_name = new_name.strip()
    if not new_name:
        raise InvalidRequest("Account role name must not be empty", field="name")
    if new_name != role.name and repository.get_role_by_name(session, tenant_id, new_name):
        raise Conflict(f"Account role {new_name!r} already exists", field="name")
    role.name = new_name
    session.flush()
    return role


def delete_role(session: Session, tenant_id: str, name: str) -> None:
    """Remove a role (and who held it). Refused while a play assigns work by it."""
    role = get_role(session, tenant_id, name, for_update=True)
    if plays_usage.plays_using_role(session, role.id):
        raise Conflict(
            f"Account role {name!r} is used by a SuccessPlay's assignee rule", field="role"
        )
    plays_usage.release_role(session, role.id)
    repository.delete_role(session, role)


# Accounts --------------------------------------------------------------------------------


def find_account(session: Session, tenant_id: str, account_id: str) -> Account | None:
    """The account with the customer's own id, or None."""
    return repository.get_by_account_id(session, tenant_id, account_id)


def get_account_by_pk(session: Session, tenant_id: str, account_pk: uuid.UUID) -> Account:
    """An account by Playrunner's own key (what tasks, runs and requests point at)."""
    account = repository.get(session, tenant_id, account_pk)
    if account is None:
        raise NotFound(f"Account {account_pk} not found", field="account_id")
    return account


def get_account(
    session: Session, tenant_id: str, account_id: str, *, for_update: bool = False
) -> Account:
    """The account; ``for_update`` locks it until the transaction ends (to change it)."""
    account = repository.get_by_account_id(session, tenant_id, account_id, for_update=for_update)
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
    spec = parse_model(
        AccountWrite,
        {
            "account_id": account_id,
            "name": name.strip() or account_id,
            "attributes": attributes or {},
            "parent_account_id": parent_account_id,
        },
        what="account",
    )
    account, _ = write_account(session, tenant_id, spec, replace=False)
    return account


def write_account(
    session: Session,
    tenant_id: str,
    spec: AccountWrite,
    *,
    replace: bool = True,
    actor_user_id: uuid.UUID | None = None,
) -> tuple[Account, bool]:
    """Create the account, or (``replace``) overwrite the one with this id. Returns it and
    whether it was created. ``actor_user_id``: who changes it (event plays its attributes
    start run as them)."""
    account_id = spec.account_id.strip()
    if not account_id:
        raise InvalidRequest("account_id must not be empty", field="account_id")
    account = repository.get_by_account_id(session, tenant_id, account_id, for_update=True)
    created = account is None
    if account is None:
        account = Account(id=uuid.uuid4(), tenant_id=tenant_id, account_id=account_id)
        session.add(account)
    elif not replace:
        raise Conflict(f"Account {account_id!r} already exists", field="account_id")
    before = {} if created else dict(account.attributes)
    account.name = spec.name
    account.attributes = without_nulls(spec.attributes)
    _set_parent(session, account, spec.parent_account_id)
    session.flush()
    criteria_changes.record(
        session, tenant_id, [(account.id, before, account.attributes)], actor_user_id
    )
    if spec.roles:
        set_roles(session, tenant_id, account, spec.roles)
    if spec.external_ids is not None:
        set_external_ids(session, tenant_id, account, spec.external_ids, replace=True)
    return account, created


def patch_account(
    session: Session,
    tenant_id: str,
    account_id: str,
    patch: AccountPatch,
    *,
    actor_user_id: uuid.UUID | None = None,
) -> Account:
    account = get_account(session, tenant_id, account_id, for_update=True)
    given = patch.model_fields_set
    if patch.name is not None:
        account.name = patch.name
    if "parent_account_id" in given:
        _set_parent(session, account, patch.parent_account_id)
    if patch.attributes is not None:
        before = dict(account.attributes)
        account.attributes = without_nulls({**account.attributes, **patch.attributes})
        criteria_changes.record(
            session, tenant_id, [(account.id, before, account.attributes)], actor_user_id
        )
    session.flush()
    if patch.roles is not None:
        set_roles(session, tenant_id, account, patch.roles)
    if patch.external_ids is not None:
        set_external_ids(session, tenant_id, account, patch.external_ids, replace=False)
    return account


def delete_account(session: Session, tenant_id: str, account_id: str) -> None:
    """Delete an account with its tasks, form requests and runs; its children lose their
    parent."""
    repository.delete(session, get_account(session, tenant_id, account_id, for_update=True))


def without_nulls(attributes: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in attributes.items() if value is not None}


def _set_parent(session: Session, account: Account, parent_account_id: str | None) -> None:
    if parent_account_id is None:
        account.parent_id = None
        return
    parent = repository.get_by_account_id(session, account.tenant_id, parent_account_id)
    if parent is None:
        raise InvalidRequest(
            f"Parent account {parent_account_id!r} not found", field="parent_account_id"
        )
    ancestor: Account | None = parent
    for _ in range(_MAX_DEPTH):
        if ancestor is None:
            break
        if ancestor.id == account.id:
            raise InvalidRequest(
                f"Account {parent_account_id!r} cannot be the parent of {account.account_id!r}:"
                " that would make a loop",
                field="parent_account_id",
            )
        ancestor = (
            repository.get(session, account.tenant_id, ancestor.parent_id)
            if ancestor.parent_id
            else None
        )
    account.parent_id = parent.id


def set_external_ids(
    session: Session,
    tenant_id: str,
    account: Account,
    ids: Mapping[str, str | None],
    *,
    replace: bool,
) -> None:
    """The account's ids in other systems (as stored: ``schemas.ExternalIds``): exactly
    ``ids`` (``replace``), or ``ids`` merged into what it has, None removing a system's. An
    id another account of the service holds, in any system, is refused: a trigger names the
    account by the bare id."""
    current = repository.external_ids_of(session, [account.id])[account.id]
    wanted: dict[str, str | None] = {} if replace else dict(current)
    wanted.update(ids)
    kept = {system: value for system, value in wanted.items() if value is not None}
    holders = repository.holders_of_external_ids(session, tenant_id, sorted(set(kept.values())))
    others = repository.account_ids_by_pk(
        session, {pk for pk in holders.values() if pk != account.id}
    )
    seen: dict[str, str] = {}
    for system, value in sorted(kept.items()):
        holder = holders.get(value)
        if holder is not None and holder != account.id:
            raise Conflict(
                f"{system} id {value!r} already belongs to account {others[holder]!r}",
                field=f"external_ids.{system}",
            )
        if value in seen:
            raise InvalidRequest(
                f"{system} id {value!r} is also the account's {seen[value]} id; an id names"
                " one account in one system",
                field=f"external_ids.{system}",
            )
        seen[value] = system
    sync_external_ids(session, tenant_id, account.id, current, kept)


def sync_external_ids(
    session: Session,
    tenant_id: str,
    account_pk: uuid.UUID,
    current: Mapping[str, str],
    wanted: Mapping[str, str],
) -> None:
    """Write the difference between what the account holds and what it should (checked)."""
    # Removals first, so an id may move from one system to another in one change.
    for system in sorted(current.keys() - wanted.keys()):
        repository.set_external_id(session, tenant_id, account_pk, system, None)
    for system, value in sorted(wanted.items()):
        if current.get(system) != value:
            repository.set_external_id(session, tenant_id, account_pk, system, value)


def set_roles(
    session: Session, tenant_id: str, account: Account, roles: dict[str, str | None]
) -> None:
    """Give each named role to the user with that email (``None`` clears the role)."""
    for role_name, email in roles.items():
        assign_role(session, tenant_id, account, role_name, email)


def assign_role(
    session: Session, tenant_id: str, account: Account, role_name: str, email: str | None
) -> None:
    """Make ``email`` the holder of ``role_name`` on the account (``None`` clears it)."""
    role = get_role(session, tenant_id, role_name)
    user: User | None = users_service.get_by_email(session, tenant_id, email) if email else None
    repository.set_role_holder(session, account.id, role.id, user.id if user else None)


def set_role_holder(
    session: Session, tenant_id: str, account_id: str, role_name: str, email: str | None
) -> AccountRead:
    """Give an account's role to a user (``None`` clears it), the account locked meanwhile."""
    account = get_account(session, tenant_id, account_id, for_update=True)
    assign_role(session, tenant_id, account, role_name, email)
    return read_accounts(session, [account])[0]


def role_holder(session: Session, account: Account, role: AccountRole) -> User | None:
    return repository.get_role_holder(session, account.id, role.id)


def team(session: Session, account: Account) -> list[tuple[str, User]]:
    return repository.list_role_holders(session, account.id)


def update_attributes(
    session: Session,
    account: Account,
    changes: dict[str, Any],
    *,
    actor_user_id: uuid.UUID | None = None,
) -> None:
    """Set these attributes (a submitted form's answers, an inbound event's values)."""
    before = dict(account.attributes)
    # A new dict, so the JSON column sees the change.
    account.attributes = {**account.attributes, **changes}
    session.flush()
    criteria_changes.record(
        session, account.tenant_id, [(account.id, before, account.attributes)], actor_user_id
    )


# Reading -----------------------------------------------------------------------------------


def read_accounts(session: Session, accounts: list[Account]) -> list[AccountRead]:
    """Accounts as the API shows them, with parents' ids and teams fetched in bulk."""
    parents = repository.account_ids_by_pk(
        session, {a.parent_id for a in accounts if a.parent_id is not None}
    )
    teams = repository.teams(session, [a.id for a in accounts])
    external_ids = repository.external_ids_of(session, [a.id for a in accounts])
    return [
        AccountRead(
            account_id=a.account_id,
            name=a.name,
            parent_account_id=parents.get(a.parent_id) if a.parent_id else None,
            attributes=a.attributes,
            roles=teams[a.id],
            external_ids=external_ids[a.id],
            created_at=a.created_at,
            updated_at=a.updated_at,
        )
        for a in accounts
    ]


def read_account(session: Session, tenant_id: str, account_id: str) -> AccountRead:
    return read_accounts(session, [get_account(session, tenant_id, account_id)])[0]


def page_accounts(
    session: Session,
    tenant_id: str,
    *,
    search: str | None = None,
    parent: str | None = None,
    attributes: list[str] | None = None,
    holder: str | None = None,
    role: str | None = None,
    limit: int,
    offset: int,
) -> tuple[list[AccountRead], int]:
    """A page of accounts. ``search`` is part of an account's id or name; ``attributes`` are
    ``name=value`` filters; ``holder`` is an email that holds a role on the account (``role``:
    that role)."""
    pairs = []
    for expression in attributes or []:
        name, separator, value = expression.partition("=")
        if not separator or not name:
            raise InvalidRequest(
                f"attribute filter {expression!r} must look like name=value", field="attribute"
            )
        pairs.append((name, value))
    if role is not None and holder is None:
        raise InvalidRequest("role filters need a holder (an email) too", field="role")
    where = AccountFilter(
        search=(search or "").strip() or None,
        parent_pk=get_account(session, tenant_id, parent).id if parent else None,
        attributes=tuple(pairs),
        holder_user_id=(
            users_service.get_by_email(session, tenant_id, holder).id if holder else None
        ),
        holder_role_id=get_role(session, tenant_id, role).id if role else None,
    )
    accounts, total = repository.find_page(session, tenant_id, where, limit, offset)
    return read_accounts(session, accounts), total


# What a run reads: plain snapshots rather than ORM objects (the trigger path) ---------------


def find_snapshot(session: Session, tenant_id: str, account_id: str) -> AccountSnapshot | None:
    """The account a caller names: by its own id, else by one of its external ids (a
    15-character Salesforce id finds the 18-character one stored). The second, indexed query
    runs only when the first finds nothing, so a trigger by the account's own id costs no
    more than it did."""
    found = repository.find_snapshot(session, tenant_id, account_id)
    if found is not None:
        return found
    return snapshots_by_account_id(session, tenant_id, [account_id], own_ids_looked_up=True).get(
        account_id
    )


def find_snapshot_with_team(
    session: Session, tenant_id: str, account_id: str
) -> tuple[AccountSnapshot, dict[uuid.UUID, RoleHolder]] | None:
    """``find_snapshot``, and everyone on the account's team by role id: for a run on one
    account, which needs both (one query when the account is named by its own id)."""
    return find_snapshots_with_teams(session, tenant_id, [account_id]).get(account_id)


def find_snapshots_with_teams(
    session: Session, tenant_id: str, account_ids: list[str]
) -> dict[str, tuple[AccountSnapshot, dict[uuid.UUID, RoleHolder]]]:
    """``find_snapshot_with_team`` for each of these accounts, by the id given: those named
    by their own id in one query, the others by their ids in other systems."""
    wanted = list(dict.fromkeys(account_ids))
    found = repository.find_snapshots_with_teams(session, tenant_id, wanted)
    missing = [account_id for account_id in wanted if account_id not in found]
    if missing:
        by_external_id = snapshots_by_account_id(
            session, tenant_id, missing, own_ids_looked_up=True
        )
        for given, account in by_external_id.items():
            found[given] = (account, repository.role_holders(session, account.id))
    return found


def snapshots_by_pk(
    session: Session, tenant_id: str, pks: set[uuid.UUID]
) -> dict[uuid.UUID, AccountSnapshot]:
    return repository.snapshots_by_pk(session, tenant_id, pks)


def snapshots_by_account_id(
    session: Session, tenant_id: str, account_ids: list[str], *, own_ids_looked_up: bool = False
) -> dict[str, AccountSnapshot]:
    """The accounts callers name, by each name given: their own ids first, then external ids
    for the names left (``own_ids_looked_up``: the caller already looked for its own ids)."""
    found = (
        {}
        if own_ids_looked_up
        else repository.snapshots_by_account_id(session, tenant_id, account_ids)
    )
    forms = {given: lookup_forms(given) for given in account_ids if given not in found}
    if not forms:
        return found
    by_external = repository.snapshots_by_external_id(
        session, tenant_id, sorted({form for wanted in forms.values() for form in wanted})
    )
    for given, wanted in forms.items():
        # The id as given first: it is what the caller stored, whatever its system.
        match = next((by_external[form] for form in wanted if form in by_external), None)
        if match is not None:
            found[given] = match
    return found


def snapshots_matching(
    session: Session, tenant_id: str, attributes: dict[str, str], limit: int
) -> list[AccountSnapshot]:
    """Accounts whose attributes equal these values (as the listing's filter), by id."""
    return repository.snapshots_matching(session, tenant_id, attributes, limit)


def teams_of(
    session: Session, account_pks: set[uuid.UUID]
) -> dict[uuid.UUID, dict[uuid.UUID, RoleHolder]]:
    """Everyone on these accounts' teams: account -> role id -> holder."""
    return repository.teams_of(session, account_pks)


def lock_accounts(session: Session, account_pks: set[uuid.UUID]) -> None:
    """Hold these accounts until the transaction ends (on PostgreSQL; SQLite has one writer)."""
    repository.lock(session, account_pks)
