"""Runs as callers see them: listing them, and one run with its items' current status.
(What a run writes is ``playrunner.runs.engine``.)"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel
from sqlalchemy.orm import Session

from playrunner.clock import utcnow
from playrunner.errors import InvalidRequest, NotFound
from playrunner.form_requests import service as form_requests_service
from playrunner.models import Run
from playrunner.models.records import FormRequestRecord, RunRecord, TaskRecord
from playrunner.pagination import check_page_size
from playrunner.plays.plan import PlayPlan
from playrunner.runs import repository
from playrunner.runs.repository import RunFilter, RunRow
from playrunner.runs.schemas import RunDetail, RunRead
from playrunner.tasks import service as tasks_service
from playrunner.validation import canonical_email
from playrunner.webhooks import service as webhooks_service
from playrunner.webhooks.schemas import EventType


def page_runs(session: Session, tenant_id: str, where: RunFilter) -> tuple[list[RunRead], int]:
    """A page of runs, newest first, and how many match (the API, the pages and the CLI).
    Times without a zone are UTC."""
    check_page_size(where.limit)
    since, until = _utc(where.since, "since"), _utc(where.until, "until")
    if since is not None and until is not None and until <= since:
        raise InvalidRequest("until must be later than since", field="until")
    runner = canonical_email(where.runner_email) if where.runner_email else None
    where = replace(where, since=since, until=until, runner_email=runner)
    rows, total = repository.find_page(session, tenant_id, where)
    return [run_read(row) for row in rows], total


@dataclass(frozen=True)
class PlayActivity:
    last_run_at: datetime | None
    runs_in_30_days: int


def activity_of_plays(
    session: Session, tenant_id: str, play_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, PlayActivity]:
    """When each play last ran, and how often in the last 30 days."""
    found = repository.activity_of_plays(
        session, tenant_id, play_ids, utcnow() - timedelta(days=30)
    )
    return {
        play_id: PlayActivity(*found[play_id]) if play_id in found else PlayActivity(None, 0)
        for play_id in play_ids
    }


def get_run(session: Session, tenant_id: str, run_id: uuid.UUID) -> Run:
    run = repository.get(session, tenant_id, run_id)
    if run is None:
        raise NotFound(f"Run {run_id} not found", field="run_id")
    return run


def read_run_summary(session: Session, tenant_id: str, run_id: uuid.UUID) -> RunRead:
    """A run as listings show it (without its items)."""
    run = repository.read(session, tenant_id, run_id)
    if run is None:
        raise NotFound(f"Run {run_id} not found", field="run_id")
    return run_read(run)


def read_run(session: Session, tenant_id: str, run_id: uuid.UUID) -> RunDetail:
    """A run with the tasks and form requests it created, each in its current status."""
    run = repository.read(session, tenant_id, run_id)
    if run is None:
        raise NotFound(f"Run {run_id} not found", field="run_id")
    return RunDetail(
        **run_read(run).model_dump(),
        tasks=tasks_service.read_of_run(session, tenant_id, run_id),
        form_requests=form_requests_service.read_of_run(session, tenant_id, run_id),
    )


RUN_EVENTS = ("run.created", "task.created", "form_request.created")


@dataclass(frozen=True)
class NewRun:
    """A run just written, with what it made: the records the engine built."""

    run: RunRecord
    tasks: Sequence[TaskRecord]
    form_requests: Sequence[FormRequestRecord]
    assignees: Mapping[uuid.UUID, str | None]


def announce_created(
    session: Session,
    tenant_id: str,
    play: PlayPlan,
    runner_email: str,
    account_ids: Mapping[uuid.UUID, str],
    runs: Sequence[NewRun],
) -> None:
    """``run.created``, ``task.created`` and ``form_request.created`` for webhook endpoints
    that listen, each resource as the API shows it, built from the engine's records (no
    reading back: this is on the trigger path). ``account_ids``: account ids by primary key."""
    if not webhooks_service.listening(session, tenant_id, RUN_EVENTS):
        return
    summaries = [
        run_read(
            RunRow(
                new.run,
                play.name,
                account_ids[new.run.account_id],
                account_ids[new.run.requested_account_id],
                runner_email,
                len(new.tasks),
                len(new.form_requests),
            )
        )
        for new in runs
    ]
    tasks = [task for new in runs for task in new.tasks]
    requests = [request for new in runs for request in new.form_requests]
    assignees = {item: email for new in runs for item, email in new.assignees.items()}
    flows = {a.flow_id: a.flow_key for a in play.actions if a.flow_id and a.flow_key}
    batches: list[tuple[EventType, Sequence[BaseModel]]] = [("run.created", summaries)]
    if tasks and webhooks_service.listening(session, tenant_id, ["task.created"]):
        batches.append(
            ("task.created", tasks_service.read_new(tasks, account_ids, assignees, flows))
        )
    if requests and webhooks_service.listening(session, tenant_id, ["form_request.created"]):
        found = form_requests_service.read_new(session, requests, account_ids, assignees)
        batches.append(("form_request.created", found))
    webhooks_service.publish_all(session, tenant_id, batches)


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
        status=run.status,
        skipped_for_run_id=run.skipped_for_run_id,
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
