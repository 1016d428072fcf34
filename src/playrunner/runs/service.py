"""The play engine: what one run of a play writes.

A run is one Run row plus a task or a form request per action, all added to the caller's
unit of work and committed together by it (or not at all). Item ids are made here rather
than by the database so the whole run is one flush.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from playrunner.accounts import repository as accounts_repository
from playrunner.accounts.repository import AccountSnapshot
from playrunner.auth.principal import Principal
from playrunner.clock import utcnow
from playrunner.errors import InvalidRequest, NotFound
from playrunner.form_requests import repository as form_requests_repository
from playrunner.form_requests.service import form_request_read, new_form_request
from playrunner.models import ActionType, FormRequest, Run, RunSource, RunStatus, Task
from playrunner.pagination import check_page_size
from playrunner.plays.plan import PlayPlan
from playrunner.plays.templates import render
from playrunner.runs import repository
from playrunner.runs.assignees import AssigneeResolver
from playrunner.runs.repository import RunFilter, RunRow
from playrunner.runs.schemas import RunDetail, RunRead
from playrunner.tasks import repository as tasks_repository
from playrunner.tasks.service import new_task, task_read


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
        status=RunStatus.COMPLETED,
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
    run.fallbacks = outcome.fallbacks
    repository.insert_run(session, run, outcome.tasks, outcome.form_requests)
    return outcome


def list_runs(session: Session, tenant_id: str, where: RunFilter) -> list[RunRead]:
    check_page_size(where.limit)
    return [run_read(row) for row in repository.find(session, tenant_id, where)]


def page_runs(session: Session, tenant_id: str, where: RunFilter) -> tuple[list[RunRead], int]:
    """A page of runs, newest first, and how many match. Times without a zone are UTC."""
    check_page_size(where.limit)
    since, until = _utc(where.since, "since"), _utc(where.until, "until")
    if since is not None and until is not None and until <= since:
        raise InvalidRequest("until must be later than since", field="until")
    where = replace(where, since=since, until=until)
    rows = repository.find(session, tenant_id, where)
    return [run_read(row) for row in rows], repository.count(session, tenant_id, where)


def get_run(session: Session, tenant_id: str, run_id: uuid.UUID) -> Run:
    run = repository.get(session, tenant_id, run_id)
    if run is None:
        raise NotFound(f"Run {run_id} not found", field="run_id")
    return run


def read_run(session: Session, tenant_id: str, run_id: uuid.UUID) -> RunDetail:
    """A run with the tasks and form requests it created, each in its current status."""
    run = repository.read(session, tenant_id, run_id)
    if run is None:
        raise NotFound(f"Run {run_id} not found", field="run_id")
    return RunDetail(
        **run_read(run).model_dump(),
        tasks=[task_read(row) for row in tasks_repository.of_run(session, tenant_id, run_id)],
        form_requests=[
            form_request_read(row)
            for row in form_requests_repository.of_run(session, tenant_id, run_id)
        ],
    )


def run_read(row: RunRow) -> RunRead:
    """A run as callers see it."""
    run = row.run
    return RunRead(
        id=run.id,
        play_id=run.play_id,
        play=row.play,
        account_id=row.account_id,
        requested_account_id=row.requested_account_id,
        runner=row.runner,
        source=run.source,
        token_id=run.token_id,
        created_at=run.created_at,
        fallbacks=list(run.fallbacks),
        task_count=row.task_count,
        form_request_count=row.form_request_count,
    )


def _utc(moment: datetime | None, field: str) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise InvalidRequest(f"{field} is out of range", field=field) from None
