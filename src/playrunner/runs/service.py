"""Runs as callers see them: listing them, and one run with its items' current status.
(What a run writes is ``playrunner.runs.engine``.)"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from playrunner.clock import utcnow
from playrunner.errors import InvalidRequest, NotFound
from playrunner.form_requests import service as form_requests_service
from playrunner.models import Run
from playrunner.pagination import check_page_size
from playrunner.runs import repository
from playrunner.runs.repository import RunFilter, RunRow
from playrunner.runs.schemas import RunDetail, RunRead
from playrunner.tasks import service as tasks_service
from playrunner.validation import canonical_email


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
