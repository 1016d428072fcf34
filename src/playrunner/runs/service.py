"""The play engine: what one run of a play writes.

A run is one Run row plus a task or a form request per action, all added to the caller's
unit of work and committed together by it (or not at all). Item ids are made here rather
than by the database so the whole run is one flush.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from playrunner.accounts import repository as accounts_repository
from playrunner.accounts.repository import AccountSnapshot
from playrunner.auth.principal import Principal
from playrunner.clock import utcnow
from playrunner.errors import NotFound
from playrunner.form_requests.service import new_form_request
from playrunner.models import ActionType, FormRequest, Run, RunSource, Task
from playrunner.pagination import check_page_size
from playrunner.plays.plan import PlayPlan
from playrunner.plays.templates import render
from playrunner.runs import repository
from playrunner.runs.assignees import AssigneeResolver
from playrunner.runs.repository import RunFilter
from playrunner.runs.schemas import RunRead
from playrunner.tasks.service import new_task


@dataclass
class RunOutcome:
    run: Run
    tasks: list[Task] = field(default_factory=list)
    form_requests: list[FormRequest] = field(default_factory=list)

    @property
    def fallbacks(self) -> list[str]:
        items: list[Task | FormRequest] = [*self.tasks, *self.form_requests]
        return [item.assignee_fallback for item in items if item.assignee_fallback]


def target_account(session: Session, play: PlayPlan, account: AccountSnapshot) -> AccountSnapshot:
    """The account a play acts on: the immediate parent when the play says so and there
    is one, otherwise the account itself."""
    if play.apply_to_parent and account.parent_id is not None:
        parent = accounts_repository.get_snapshot(session, account.tenant_id, account.parent_id)
        if parent is not None:
            return parent
    return account


def template_context(
    play: PlayPlan, account: AccountSnapshot, runner: Principal, parent: AccountSnapshot | None
) -> dict[str, Any]:
    return {
        "account": {
            "account_id": account.account_id,
            "id": account.account_id,
            "name": account.name,
            "attributes": dict(account.attributes),
            "parent": {"account_id": parent.account_id, "name": parent.name} if parent else None,
        },
        "play": {"id": str(play.id), "name": play.name},
        "runner": {"name": runner.name, "email": runner.email},
    }


def start_run(
    session: Session,
    play: PlayPlan,
    account: AccountSnapshot,
    runner: Principal,
    source: RunSource,
) -> RunOutcome:
    """Run ``play`` (already checked as runnable) on ``account`` for ``runner``."""
    target = target_account(session, play, account)
    parent = (
        accounts_repository.get_snapshot(session, target.tenant_id, target.parent_id)
        if target.parent_id is not None
        else None
    )
    now = utcnow()
    run = Run(
        id=uuid.uuid4(),
        tenant_id=runner.tenant_id,
        play_id=play.id,
        requested_account_id=account.id,
        account_id=target.id,
        user_id=runner.user_id,
        token_id=runner.token_id,
        source=source,
        created_at=now,
    )
    outcome = RunOutcome(run)
    context = template_context(play, target, runner, parent)
    assignees = AssigneeResolver(session, play.actions, target, runner)
    for action in play.actions:
        assignment = assignees.resolve(action)
        due_date = now.date() + timedelta(days=action.due_in_days)
        where = f"actions[{action.position}]"
        if action.type is ActionType.CREATE_TASK:
            outcome.tasks.append(
                new_task(
                    tenant_id=runner.tenant_id,
                    account_pk=target.id,
                    title=render(action.title_template or "", context, f"{where}.title"),
                    description=render(
                        action.description_template or "", context, f"{where}.description"
                    ),
                    priority=action.priority or 2,
                    due_date=due_date,
                    assignee_user_id=assignment.user_id,
                    flow_id=action.flow_id,
                    run_id=run.id,
                    play_id=play.id,
                    touchpoint_required=action.touchpoint_required,
                    assignee_fallback=assignment.fallback,
                )
            )
        elif action.form_id is not None:
            outcome.form_requests.append(
                new_form_request(
                    tenant_id=runner.tenant_id,
                    form_id=action.form_id,
                    account_pk=target.id,
                    assignee_user_id=assignment.user_id,
                    due_date=due_date,
                    instructions=render(
                        action.instructions or "", context, f"{where}.instructions"
                    ),
                    run_id=run.id,
                    play_id=play.id,
                    assignee_fallback=assignment.fallback,
                )
            )
    repository.insert_run(session, run, outcome.tasks, outcome.form_requests)
    return outcome


def list_runs(session: Session, tenant_id: str, where: RunFilter) -> list[RunRead]:
    check_page_size(where.limit)
    return repository.find(session, tenant_id, where)


def get_run(session: Session, tenant_id: str, run_id: uuid.UUID) -> Run:
    run = repository.get(session, tenant_id, run_id)
    if run is None:
        raise NotFound(f"Run {run_id} not found", field="run_id")
    return run
