"""Queries for runs."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, func, or_, select
from sqlalchemy.orm import Session, aliased

from playrunner.models import (
    Account,
    AnnouncementStatus,
    FormRequest,
    Run,
    RunAnnouncement,
    RunSource,
    SuccessPlay,
    Task,
    User,
)
from playrunner.models.records import FormRequestRecord, RunRecord, TaskRecord
from playrunner.outbox import lease
from playrunner.pagination import DEFAULT_PAGE_SIZE, count_rows
from playrunner.row_inserts import RowInsert

_INSERT_RUN = RowInsert(Run)
_INSERT_TASK = RowInsert(Task)
_INSERT_FORM_REQUEST = RowInsert(FormRequest)

# The account a run was requested for, beside the one it acted on (``Account``).
_Requested = aliased(Account, name="requested_account")


@dataclass(frozen=True, slots=True)
class RunRow:
    """A run with its play's name, both accounts' ids, the runner's email and item counts."""

    run: Run | RunRecord  # a record: a run just made, read without a query
    play: str
    account_id: str
    requested_account_id: str
    runner: str
    task_count: int
    form_request_count: int


@dataclass(frozen=True)
class RunFilter:
    run_id: uuid.UUID | None = None
    play_id: uuid.UUID | None = None
    # The customer's account id: the account acted on, or the one named in the call.
    account_id: str | None = None
    runner_email: str | None = None  # who ran it
    source: RunSource | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    limit: int = DEFAULT_PAGE_SIZE
    offset: int = 0


def insert_runs(
    session: Session,
    runs: list[RunRecord],
    tasks: list[TaskRecord],
    form_requests: list[FormRequestRecord],
) -> None:
    """Write runs and their items with one INSERT per table (per 1,000 rows), parents first.

    Plain INSERTs of fully built rows through the driver (``row_inserts``): the ORM's unit
    of work, or even SQLAlchemy's own INSERT, costs more than the database's work on the
    hottest path Playrunner has, and offers nothing needed here.
    """
    batches: tuple[tuple[RowInsert, Sequence[RunRecord | TaskRecord | FormRequestRecord]], ...] = (
        (_INSERT_RUN, runs),
        (_INSERT_TASK, tasks),
        (_INSERT_FORM_REQUEST, form_requests),
    )
    for statement, rows in batches:
        for start in range(0, len(rows), 1000):
            statement.execute(session, [row.values() for row in rows[start : start + 1000]])


def get(session: Session, tenant_id: str, run_id: uuid.UUID) -> Run | None:
    run = session.get(Run, run_id)
    return run if run is not None and run.tenant_id == tenant_id else None


def _conditions(tenant_id: str, where: RunFilter) -> list[ColumnElement[bool]]:
    conditions = [Run.tenant_id == tenant_id]
    if where.run_id is not None:
        conditions.append(Run.id == where.run_id)
    if where.play_id is not None:
        conditions.append(Run.play_id == where.play_id)
    if where.account_id is not None:
        key = Account.key_of(tenant_id, where.account_id)
        conditions.append(or_(Run.account_id == key, Run.requested_account_id == key))
    if where.runner_email is not None:
        runner = select(User.id).where(
            User.tenant_id == tenant_id, User.email == where.runner_email
        )
        conditions.append(Run.user_id.in_(runner))
    if where.source is not None:
        conditions.append(Run.source == where.source)
    if where.since is not None:
        conditions.append(Run.created_at >= where.since)
    if where.until is not None:
        conditions.append(Run.created_at < where.until)
    return conditions


def find_page(session: Session, tenant_id: str, where: RunFilter) -> tuple[list[RunRow], int]:
    """A page of runs with their play's name, accounts, runner and item counts, newest
    first, and how many match in all."""
    return find(session, tenant_id, where), count_rows(session, _matching(tenant_id, where))


def find(session: Session, tenant_id: str, where: RunFilter) -> list[RunRow]:
    """Runs with their play's name, accounts, runner and item counts, newest first."""
    task_count = select(func.count(Task.id)).where(Task.run_id == Run.id).scalar_subquery()
    form_request_count = (
        select(func.count(FormRequest.id)).where(FormRequest.run_id == Run.id).scalar_subquery()
    )
    query = (
        select(
            Run,
            SuccessPlay.name,
            Account.account_id,
            _Requested.account_id,
            User.email,
            task_count,
            form_request_count,
        )
        .join(SuccessPlay, SuccessPlay.id == Run.play_id)
        .join(Account, Account.id == Run.account_id)
        .join(_Requested, _Requested.id == Run.requested_account_id)
        .join(User, User.id == Run.user_id)
        .where(*_conditions(tenant_id, where))
        .order_by(Run.created_at.desc(), Run.id)
        .limit(where.limit)
        .offset(where.offset)
    )
    rows = session.execute(query)
    return [RunRow(*row) for row in rows]


def _matching(tenant_id: str, where: RunFilter) -> Select[uuid.UUID]:
    """The ids of the runs ``where`` selects (what a page's total counts)."""
    return (
        select(Run.id)
        .join(Account, Account.id == Run.account_id)
        .join(_Requested, _Requested.id == Run.requested_account_id)
        .where(*_conditions(tenant_id, where))
    )


def activity_of_plays(
    session: Session, tenant_id: str, play_ids: Sequence[uuid.UUID], since: datetime
) -> dict[uuid.UUID, tuple[datetime, int]]:
    """For each of these plays that ran: its last run, and how many runs since ``since``."""
    if not play_ids:
        return {}
    rows = session.execute(
        select(
            Run.play_id,
            func.max(Run.created_at),
            func.count(Run.id).filter(Run.created_at >= since),
        )
        .where(Run.tenant_id == tenant_id, Run.play_id.in_(play_ids))
        .group_by(Run.play_id)
    )
    return {play_id: (last, recent) for play_id, last, recent in rows}


def read(session: Session, tenant_id: str, run_id: uuid.UUID) -> RunRow | None:
    """One run as ``find`` shows it, or None when the tenant has no such run."""
    found = find(session, tenant_id, RunFilter(run_id=run_id, limit=1))
    return found[0] if found else None


# Announcements of new runs (``runs/announcements.py``)

_INSERT_ANNOUNCEMENT = RowInsert(RunAnnouncement)


@dataclass(frozen=True, slots=True)
class TakenAnnouncement:
    id: uuid.UUID
    tenant_id: str
    body: str
    created_at: datetime


def insert_announcements(session: Session, rows: list[dict[str, Any]]) -> None:
    _INSERT_ANNOUNCEMENT.execute(session, rows)  # on the trigger path: through the driver


def take_announcements(
    session: Session, ids: Sequence[uuid.UUID], now: datetime
) -> list[TakenAnnouncement]:
    """Delete those of these announcements that are due and that no worker holds, and
    return them (one statement: each has one winner; the caller writes what they announce
    in the same transaction, so a rollback gives them back). Expanded, an announcement has
    nothing more to say: the table holds only those still to expand, and stays small."""
    if not ids:
        return []
    taken = session.execute(
        delete(RunAnnouncement)
        .where(RunAnnouncement.id.in_(ids), *lease.due_and_free(RunAnnouncement, now))
        .returning(
            RunAnnouncement.id,
            RunAnnouncement.tenant_id,
            RunAnnouncement.body,
            RunAnnouncement.created_at,
        )
        .execution_options(synchronize_session=False)
    )
    found = [TakenAnnouncement(*row) for row in taken]
    found.sort(key=lambda a: a.created_at)
    return found


def any_pending_announcement(session: Session) -> bool:
    query = select(RunAnnouncement.id).where(RunAnnouncement.status == AnnouncementStatus.PENDING)
    return session.scalar(query.limit(1)) is not None


def waiting_announced_runs(session: Session, tenant_id: str) -> int:
    query = select(func.coalesce(func.sum(RunAnnouncement.run_count), 0)).where(
        RunAnnouncement.tenant_id == tenant_id,
        RunAnnouncement.status == AnnouncementStatus.PENDING,
    )
    return int(session.scalar(query) or 0)
