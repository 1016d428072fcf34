"""Who gets a play's task or form: the rule's user, or the runner when the rule finds nobody."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from playrunner.accounts import service as accounts_service
from playrunner.auth.principal import Principal
from playrunner.models import AssigneeKind
from playrunner.models.records import AccountSnapshot, RoleHolder
from playrunner.plays.plan import ActionPlan
from playrunner.users import service as users_service


@dataclass(frozen=True, slots=True)
class Assignment:
    user_id: uuid.UUID
    email: str
    # Set when the rule could not be followed and the item went to the runner instead.
    fallback: str | None = None


class AssigneeResolver:
    """Resolves every action of a batch of runs, reading the accounts' teams (and any named
    users) once for the whole batch rather than once per action."""

    def __init__(
        self,
        session: Session,
        actions: Sequence[ActionPlan],
        accounts: Sequence[AccountSnapshot],
        runner: Principal,
        known_teams: Mapping[uuid.UUID, Mapping[uuid.UUID, RoleHolder]],
    ) -> None:
        """``known_teams``: teams of these accounts the caller already read."""
        self.runner = runner
        needs_team = any(a.assignee_kind is AssigneeKind.ACCOUNT_ROLE for a in actions)
        self.teams: dict[uuid.UUID, Mapping[uuid.UUID, RoleHolder]] = {}
        if needs_team:
            unknown = {a.id for a in accounts if a.id not in known_teams}
            self.teams.update(accounts_service.teams_of(session, unknown))
            self.teams.update({a.id: known_teams[a.id] for a in accounts if a.id in known_teams})
        named = {a.assignee_user_id for a in actions if a.assignee_kind is AssigneeKind.USER}
        self.users = users_service.emails_and_activity(
            session, runner.tenant_id, {user_id for user_id in named if user_id is not None}
        )

    def resolve(
        self, action: ActionPlan, account: AccountSnapshot, runner: Principal | None = None
    ) -> Assignment:
        """Apply the action's rule on the account; never fails, falls back to the runner
        (``runner``: this run's, when the batch's runs have runners of their own)."""
        runner = runner if runner is not None else self.runner
        if action.assignee_kind is AssigneeKind.ACCOUNT_ROLE and action.assignee_role_id:
            role_name = action.assignee_role_name or "the role"
            holder = self.teams.get(account.id, {}).get(action.assignee_role_id)
            if holder is None:
                return _fallback(
                    runner,
                    f"No {role_name} on account {account.account_id}; assigned to {runner.email}",
                )
            if not holder.active:
                return _fallback(
                    runner, f"{role_name} {holder.email} is deactivated; assigned to {runner.email}"
                )
            return Assignment(holder.user_id, holder.email)
        if action.assignee_kind is AssigneeKind.USER and action.assignee_user_id is not None:
            email, active = self.users.get(action.assignee_user_id, ("The named user", False))
            if not active:
                return _fallback(runner, f"{email} is deactivated; assigned to {runner.email}")
            return Assignment(action.assignee_user_id, email)
        return Assignment(runner.user_id, runner.email)


def _fallback(runner: Principal, reason: str) -> Assignment:
    return Assignment(runner.user_id, runner.email, reason)
