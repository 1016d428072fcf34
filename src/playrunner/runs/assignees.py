"""Who gets a play's task or form: the rule's user, or the runner when the rule finds nobody."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from playrunner.accounts import repository as accounts_repository
from playrunner.accounts.repository import AccountSnapshot, RoleHolder
from playrunner.auth.principal import Principal
from playrunner.models import AssigneeKind
from playrunner.plays.plan import ActionPlan
from playrunner.users import repository as users_repository


@dataclass(frozen=True, slots=True)
class Assignment:
    user_id: uuid.UUID
    # Set when the rule could not be followed and the item went to the runner instead.
    fallback: str | None = None


class AssigneeResolver:
    """Resolves every action of one run, reading the account's team (and any named users)
    once rather than once per action."""

    def __init__(
        self,
        session: Session,
        actions: tuple[ActionPlan, ...],
        account: AccountSnapshot,
        runner: Principal,
    ) -> None:
        self.account = account
        self.runner = runner
        needs_team = any(a.assignee_kind is AssigneeKind.ACCOUNT_ROLE for a in actions)
        self.team: dict[uuid.UUID, RoleHolder] = (
            accounts_repository.role_holders(session, account.id) if needs_team else {}
        )
        named = {a.assignee_user_id for a in actions if a.assignee_kind is AssigneeKind.USER}
        self.users = users_repository.active_by_ids(
            session, account.tenant_id, {user_id for user_id in named if user_id is not None}
        )

    def resolve(self, action: ActionPlan) -> Assignment:
        """Apply the action's rule on the account; never fails, falls back to the runner."""
        runner = self.runner
        if action.assignee_kind is AssigneeKind.ACCOUNT_ROLE and action.assignee_role_id:
            role_name = action.assignee_role_name or "the role"
            holder = self.team.get(action.assignee_role_id)
            if holder is None:
                return Assignment(
                    runner.user_id,
                    f"No {role_name} on account {self.account.account_id};"
                    f" assigned to {runner.email}",
                )
            if not holder.active:
                return Assignment(
                    runner.user_id,
                    f"{role_name} {holder.email} is deactivated; assigned to {runner.email}",
                )
            return Assignment(holder.user_id)
        if action.assignee_kind is AssigneeKind.USER and action.assignee_user_id is not None:
            email, active = self.users.get(action.assignee_user_id, ("The named user", False))
            if not active:
                return Assignment(
                    runner.user_id, f"{email} is deactivated; assigned to {runner.email}"
                )
            return Assignment(action.assignee_user_id)
        return Assignment(runner.user_id)
