"""Who gets a play's task or form: the rule's user, or the runner when the rule finds nobody."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from playrunner.accounts import repository as accounts_repository
from playrunner.auth.principal import Principal
from playrunner.models import Account, AccountRole, AssigneeKind, PlayAction
from playrunner.users import repository as users_repository


@dataclass(frozen=True, slots=True)
class Assignment:
    user_id: uuid.UUID
    # Set when the rule could not be followed and the item went to the runner instead.
    fallback: str | None = None


def resolve_assignee(
    session: Session, action: PlayAction, account: Account, runner: Principal
) -> Assignment:
    """Apply the action's assignee rule on ``account``; never fails, falls back to the runner."""
    if action.assignee_kind is AssigneeKind.ACCOUNT_ROLE and action.assignee_role_id is not None:
        role = session.get(AccountRole, action.assignee_role_id)
        role_name = role.name if role is not None else "the role"
        holder = accounts_repository.get_role_holder(session, account.id, action.assignee_role_id)
        if holder is None:
            return Assignment(
                runner.user_id,
                f"No {role_name} on account {account.account_id}; assigned to {runner.email}",
            )
        if not holder.active:
            return Assignment(
                runner.user_id,
                f"{role_name} {holder.email} is deactivated; assigned to {runner.email}",
            )
        return Assignment(holder.id)
    if action.assignee_kind is AssigneeKind.USER and action.assignee_user_id is not None:
        user = users_repository.get(session, account.tenant_id, action.assignee_user_id)
        if user is None or not user.active:
            who = user.email if user is not None else "The named user"
            return Assignment(runner.user_id, f"{who} is deactivated; assigned to {runner.email}")
        return Assignment(user.id)
    return Assignment(runner.user_id)
