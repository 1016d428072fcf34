"""Creating or replacing many accounts in one call: each item succeeds or fails alone."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from playrunner.accounts import repository
from playrunner.accounts.schemas import AccountWrite, BulkItemResult, BulkResult
from playrunner.accounts.service import sync_external_ids, without_nulls
from playrunner.criteria import changes as criteria_changes
from playrunner.errors import InvalidRequest
from playrunner.models import Account, AccountRole, User
from playrunner.users import service as users_service
from playrunner.validation import canonical_email, parse_model


def bulk_upsert(
    session: Session,
    tenant_id: str,
    items: list[dict[str, Any]],
    actor_user_id: uuid.UUID | None = None,
) -> BulkResult:
    """Create or replace many accounts at once. Each item succeeds or fails on its own; the
    ones that fail change nothing. Parents may be other items of the same call.
    ``actor_user_id``: who changes them (event plays their attributes start run as them)."""
    results: list[BulkItemResult | None] = [None] * len(items)
    valid: dict[str, tuple[int, AccountWrite]] = {}
    for index, item in enumerate(items):
        given_id = item.get("account_id") if isinstance(item, dict) else None
        try:
            spec = parse_model(AccountWrite, item, what="account")
        except InvalidRequest as exc:
            results[index] = _failed(index, given_id, exc.message)
            continue
        if spec.account_id in valid:
            results[index] = _failed(index, spec.account_id, "account_id repeats an earlier item")
            continue
        valid[spec.account_id] = (index, spec)

    existing = repository.by_account_ids(
        session,
        tenant_id,
        sorted({*valid, *(s.parent_account_id for _, s in valid.values() if s.parent_account_id)}),
    )
    roles = {role.name: role for role in repository.list_roles(session, tenant_id)}
    emails = {e for _, s in valid.values() for e in s.roles.values() if e is not None}
    users = users_service.users_by_email(session, tenant_id, emails)
    external_ids = sorted(
        {v for _, spec in valid.values() for v in (spec.external_ids or {}).values()}
    )
    held = repository.holders_of_external_ids(session, tenant_id, external_ids)
    claimed: dict[str, str] = {}  # external id -> the item's account id that asked first

    accepted: dict[str, tuple[int, AccountWrite]] = {}
    for account_id, (index, spec) in valid.items():
        problem = _bulk_problem(spec, valid, existing, roles, users) or _external_id_problem(
            spec, existing.get(account_id), held, claimed
        )
        if problem:
            results[index] = _failed(index, account_id, problem)
        else:
            accepted[account_id] = (index, spec)
    # A parent that failed makes its children fail too, until nothing changes.
    while dropped := [
        account_id
        for account_id, (_, spec) in accepted.items()
        if spec.parent_account_id
        and spec.parent_account_id not in accepted
        and spec.parent_account_id not in existing
    ]:
        for account_id in dropped:
            index, spec = accepted.pop(account_id)
            results[index] = _failed(
                index, account_id, f"parent account {spec.parent_account_id!r} failed"
            )

    accounts, changed = _write(session, tenant_id, accepted, existing, results)
    session.flush()
    for account_id, (_, spec) in accepted.items():
        for role_name, email in spec.roles.items():
            user = users.get(canonical_email(email)) if email else None
            repository.set_role_holder(
                session, accounts[account_id].id, roles[role_name].id, user.id if user else None
            )
    current = repository.external_ids_of(session, [account.id for account in accounts.values()])
    for account_id, (_, spec) in accepted.items():
        account = accounts[account_id]
        if spec.external_ids is not None:
            sync_external_ids(
                session, tenant_id, account.id, current[account.id], spec.external_ids
            )
    criteria_changes.record(session, tenant_id, changed, actor_user_id)
    done = [r for r in results if r is not None]
    return BulkResult(
        created=sum(r.status == "created" for r in done),
        updated=sum(r.status == "updated" for r in done),
        failed=sum(r.status == "error" for r in done),
        results=done,
    )


def _write(
    session: Session,
    tenant_id: str,
    accepted: dict[str, tuple[int, AccountWrite]],
    existing: dict[str, Account],
    results: list[BulkItemResult | None],
) -> tuple[dict[str, Account], list[tuple[uuid.UUID, dict[str, Any], dict[str, Any]]]]:
    """Create or update the accepted accounts (their results set); them by id, and each
    one's attributes before and after."""
    accounts: dict[str, Account] = {}
    changed: list[tuple[uuid.UUID, dict[str, Any], dict[str, Any]]] = []
    for account_id, (index, spec) in accepted.items():
        account = existing.get(account_id)
        created = account is None
        if account is None:
            account = Account(id=uuid.uuid4(), tenant_id=tenant_id, account_id=account_id)
            session.add(account)
        before = {} if created else dict(account.attributes)
        account.name = spec.name
        account.attributes = without_nulls(spec.attributes)
        changed.append((account.id, before, account.attributes))
        accounts[account_id] = account
        results[index] = BulkItemResult(
            index=index, account_id=account_id, status="created" if created else "updated"
        )
    for account_id, (_, spec) in accepted.items():
        parent_id = spec.parent_account_id
        parent = (accounts.get(parent_id) or existing.get(parent_id)) if parent_id else None
        accounts[account_id].parent_id = parent.id if parent is not None else None
    return accounts, changed


def _failed(index: int, account_id: Any, message: str) -> BulkItemResult:
    return BulkItemResult(
        index=index,
        account_id=account_id if isinstance(account_id, str) else None,
        status="error",
        error=message,
    )


def _external_id_problem(
    spec: AccountWrite,
    account: Account | None,
    held: dict[str, uuid.UUID],
    claimed: dict[str, str],
) -> str | None:
    """An external id another account holds, or an earlier item asked for, or twice."""
    seen: set[str] = set()
    for system, value in sorted((spec.external_ids or {}).items()):
        holder = held.get(value)
        if (holder is not None and (account is None or holder != account.id)) or (
            claimed.get(value, spec.account_id) != spec.account_id
        ):
            return f"{system} id {value!r} already belongs to another account"
        if value in seen:
            return f"{system} id {value!r} is given for two systems"
        seen.add(value)
    for value in seen:
        claimed[value] = spec.account_id
    return None


def _bulk_problem(
    spec: AccountWrite,
    batch: dict[str, tuple[int, AccountWrite]],
    existing: dict[str, Account],
    roles: dict[str, AccountRole],
    users: dict[str, User],
) -> str | None:
    parent = spec.parent_account_id
    if parent is not None and parent not in batch and parent not in existing:
        return f"parent account {parent!r} not found"
    seen = {spec.account_id}
    while parent is not None and parent in batch:
        if parent in seen:
            return f"parent account {spec.parent_account_id!r} would make a loop"
        seen.add(parent)
        parent = batch[parent][1].parent_account_id
    for role_name, email in spec.roles.items():
        if role_name not in roles:
            return f"account role {role_name!r} not found"
        if email is not None and canonical_email(email) not in users:
            return f"user {email!r} not found"
    return None
