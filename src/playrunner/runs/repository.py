"""Queries for runs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, aliased

from playrunner.models import Account, Base, FormRequest, Run, SuccessPlay, Task, User
from playrunner.pagination import DEFAULT_PAGE_SIZE
from playrunner.runs.schemas import RunRead

_INSERT_RUN = insert(Run)
_INSERT_TASK = insert(Task)
_INSERT_FORM_REQUEST = insert(FormRequest)


@dataclass(frozen=True)
class RunFilter:
    play_id: uuid.UUID | None = None
    account_pk: uuid.UUID | None = None
    since: datetime | None = None
    limit: int = DEFAULT_PAGE_SIZE


def _values(row: Base) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


def insert_run(
    session: Session, run: Run, tasks: list[Task], form_requests: list[FormRequest]
) -> None:
    """Write a run and its items with one INSERT per table, parents first.

    Plain INSERTs of fully built rows: the ORM's unit of work would cost several times
    more on the hottest path Playrunner has, and needs nothing it offers here.
    """
    connection = session.connection()
    connection.execute(_INSERT_RUN, [_values(run)])
    if tasks:
        connection.execute(_INSERT_TASK, [_values(task) for task in tasks])
    if form_requests:
        connection.execute(_INSERT_FORM_REQUEST, [_values(item) for item in form_requests])


def get(session: Session, tenant_id: str, run_id: uuid.UUID) -> Run | None:
    run = session.get(Run, run_id)
    return run if run is not None and run.tenant_id == tenant_id else None


def find(session: Session, tenant_id: str, where: RunFilter) -> list[RunRead]:
    """Runs with their play's name, accounts, runner and item counts, newest first."""
    requested = aliased(Account)
    task_count = select(func.count(Task.id)).where(Task.run_id == Run.id).scalar_subquery()
    form_request_count = (
        select(func.count(FormRequest.id)).where(FormRequest.run_id == Run.id).scalar_subquery()
    )
    query = (
        select(
            Run,
            SuccessPlay.name,
            Account.account_id,
            requested.account_id,
            User.email,
            task_count,
            form_request_count,
        )
        .join(SuccessPlay, SuccessPlay.id == Run.play_id)
        .join(Account, Account.id == Run.account_id)
        .join(requested, requested.id == Run.requested_account_id)
        .join(User, User.id == Run.user_id)
        .where(Run.tenant_id == tenant_id)
    )
    if where.play_id is not None:
        query = query.where(Run.play_id == where.play_id)
    if where.account_pk is not None:
        query = query.where(Run.account_id == where.account_pk)
    if where.since is not None:
        query = query.where(Run.created_at >= where.since)
    query = query.order_by(Run.created_at.desc(), Run.id).limit(where.limit)
    rows = session.execute(query)
    return [
        RunRead(
            id=run.id,
            play_id=run.play_id,
            play=play_name,
            account_id=account_id,
            requested_account_id=requested_account_id,
            runner=runner,
            source=run.source,
            token_id=run.token_id,
            created_at=run.created_at,
            task_count=tasks,
            form_request_count=form_requests,
        )
        for run, play_name, account_id, requested_account_id, runner, tasks, form_requests in rows
    ]
