"""The play engine: what running a play writes.

A run is one Run row plus a task or a form request per action, added to the caller's unit
of work and committed together by it (or not at all). Running a play on many accounts is
one batch: a handful of queries whatever the number of accounts, and one INSERT per table.
The trigger API, the CLI, dry runs and bulk runs all come through ``start_runs``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from playrunner.accounts import service as accounts_service
from playrunner.auth.principal import Principal
from playrunner.clock import utcnow
from playrunner.form_requests import service as form_requests_service
from playrunner.ids import time_ordered_id
from playrunner.models import ActionType, DuplicatePolicy, RunSource, RunStatus
from playrunner.models.records import (
    AccountSnapshot,
    FormRequestRecord,
    RoleHolder,
    RunRecord,
    TaskRecord,
)
from playrunner.plays.plan import PlayPlan
from playrunner.plays.templates import render, template_context
from playrunner.runs import announcements, repository
from playrunner.runs.assignees import AssigneeResolver
from playrunner.tasks import service as tasks_service


@dataclass
class RunOutcome:
    run: RunRecord
    target: AccountSnapshot
    tasks: list[TaskRecord] = field(default_factory=list)
    form_requests: list[FormRequestRecord] = field(default_factory=list)
    # Each item's assignee's email, by item id (what a dry run shows).
    assignees: dict[uuid.UUID, str] = field(default_factory=dict)

    @property
    def skipped(self) -> bool:
        return self.run.status is RunStatus.SKIPPED

    @property
    def fallbacks(self) -> list[str]:
        items: list[TaskRecord | FormRequestRecord] = [*self.tasks, *self.form_requests]
        return [item.assignee_fallback for item in items if item.assignee_fallback]


def start_run(
    session: Session,
    play: PlayPlan,
    account: AccountSnapshot,
    runner: Principal,
    source: RunSource,
    *,
    write: bool = True,
    team: Mapping[uuid.UUID, RoleHolder] | None = None,
) -> RunOutcome:
    """Run ``play`` (already checked as runnable) on one account; ``team``: everyone on the
    account's team by role id, when the caller read it with the account."""
    teams = {account.id: team} if team is not None else None
    return start_runs(session, play, [account], runner, source, write=write, teams=teams)[0]


def start_runs(
    session: Session,
    play: PlayPlan,
    accounts: Sequence[AccountSnapshot],
    runner: Principal,
    source: RunSource,
    *,
    write: bool = True,
    teams: Mapping[uuid.UUID, Mapping[uuid.UUID, RoleHolder]] | None = None,
    runners: Sequence[Principal] | None = None,
) -> list[RunOutcome]:
    """Run ``play`` on each account, in order. Each run acts on the account, or on its
    immediate parent when the play says so. With ``write=False`` (a dry run) the outcomes
    are built and rendered but nothing is written. ``teams``: those of these accounts the
    caller has already read (the others are read here). ``runners``: who runs the play on
    each account, when that is not ``runner`` for all (trigger calls by several callers of
    one service, run together: ``automations.turns``)."""
    tenant_id = runner.tenant_id
    by_whom = runners if runners is not None else [runner] * len(accounts)
    targets = _targets(session, play, accounts)
    parents = accounts_service.snapshots_by_pk(
        session, tenant_id, {t.parent_id for t in targets if t.parent_id is not None}
    )
    skip = play.duplicate_policy is DuplicatePolicy.SKIP_IF_OPEN
    open_runs = _open_runs(session, tenant_id, play.id, {t.id for t in targets}) if skip else {}
    assignees = AssigneeResolver(session, play.actions, targets, runner, teams or {})
    now = utcnow()
    outcomes = []
    for account, target, run_by in zip(accounts, targets, by_whom, strict=True):
        run = RunRecord(
            id=time_ordered_id(),
            tenant_id=tenant_id,
            play_id=play.id,
            requested_account_id=account.id,
            account_id=target.id,
            user_id=run_by.user_id,
            token_id=run_by.token_id,
            source=source,
            status=RunStatus.COMPLETED,
            skipped_for_run_id=None,
            created_at=now,
            fallbacks=[],
        )
        outcome = RunOutcome(run, target)
        if target.id in open_runs:
            run.status = RunStatus.SKIPPED
            run.skipped_for_run_id = open_runs[target.id]
        else:
            parent = parents.get(target.parent_id) if target.parent_id else None
            _make_items(
                outcome,
                play,
                run_by,
                assignees,
                template_context(play.id, play.name, target, run_by, parent),
            )
            run.fallbacks = outcome.fallbacks
            if skip and (outcome.tasks or outcome.form_requests):
                # A later account of this batch with the same target now has open items.
                open_runs[target.id] = run.id
        outcomes.append(outcome)
    if write:
        repository.insert_runs(
            session,
            [o.run for o in outcomes],
            [task for o in outcomes for task in o.tasks],
            [request for o in outcomes for request in o.form_requests],
        )
        account_ids = {a.id: a.account_id for a in (*accounts, *targets)}
        # An announcement names one runner: one per runner of the batch.
        by_email: dict[str, list[announcements.NewRun]] = {}
        for outcome, run_by in zip(outcomes, by_whom, strict=True):
            by_email.setdefault(run_by.email, []).append(
                announcements.NewRun(
                    outcome.run, outcome.tasks, outcome.form_requests, outcome.assignees
                )
            )
        for email, new_runs in by_email.items():
            announcements.announce(session, tenant_id, play, email, account_ids, new_runs)
    return outcomes


def _open_runs(
    session: Session, tenant_id: str, play_id: uuid.UUID, account_pks: set[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    """For each of these accounts where a run of the play left tasks or form requests open:
    the latest such run (what ``skip_if_open`` points a skipped run at)."""
    ordered = sorted(account_pks)
    latest: dict[uuid.UUID, tuple[datetime, uuid.UUID]] = {}
    for account_pk, run_id, created_at in (
        *tasks_service.open_of_play(session, tenant_id, play_id, ordered),
        *form_requests_service.open_of_play(session, tenant_id, play_id, ordered),
    ):
        # Ties (the runs of one batch share their time): the later run, by its ordered id.
        if account_pk not in latest or latest[account_pk] < (created_at, run_id):
            latest[account_pk] = (created_at, run_id)
    return {account_pk: run_id for account_pk, (_, run_id) in latest.items()}


def _targets(
    session: Session, play: PlayPlan, accounts: Sequence[AccountSnapshot]
) -> list[AccountSnapshot]:
    """The account each run acts on: the immediate parent when the play says so and there
    is one, otherwise the account itself."""
    if not play.apply_to_parent:
        return list(accounts)
    parents = accounts_service.snapshots_by_pk(
        session, play.tenant_id, {a.parent_id for a in accounts if a.parent_id is not None}
    )
    return [parents.get(a.parent_id, a) if a.parent_id else a for a in accounts]


def _make_items(
    outcome: RunOutcome,
    play: PlayPlan,
    runner: Principal,
    assignees: AssigneeResolver,
    context: dict[str, Any],
) -> None:
    run, target = outcome.run, outcome.target
    for action in play.actions:
        assignment = assignees.resolve(action, target, runner)
        due_date = run.created_at.date() + timedelta(days=action.due_in_days)
        where = f"actions[{action.position}]"
        if action.type is ActionType.CREATE_TASK:
            task = tasks_service.new_task(
                tenant_id=runner.tenant_id,
                account_pk=target.id,
                title=render(action.title_template or "", context, f"{where}.title", required=True),
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
            outcome.tasks.append(task)
            outcome.assignees[task.id] = assignment.email
        elif action.form_id is not None:
            request = form_requests_service.new_form_request(
                tenant_id=runner.tenant_id,
                form_id=action.form_id,
                account_pk=target.id,
                assignee_user_id=assignment.user_id,
                due_date=due_date,
                instructions=render(action.instructions or "", context, f"{where}.instructions"),
                run_id=run.id,
                play_id=play.id,
                assignee_fallback=assignment.fallback,
            )
            outcome.form_requests.append(request)
            outcome.assignees[request.id] = assignment.email
