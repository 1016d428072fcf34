"""Queries for tasks."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, func, select, update
from sqlalchemy.orm import Session

from playrunner.clock import utcnow
from playrunner.db import chunked
from playrunner.models import OPEN_TASK_STATUSES, Account, Flow, Task, TaskStatus, User
from playrunner.models.records import TaskRecord
from playrunner.pagination import DEFAULT_PAGE_SIZE, page_of_rows

IS_OPEN = Task.status.in_(OPEN_TASK_STATUSES)

# A task with its account id, assignee email and flow key (both outer-joined).
_TaskRows = Select[Task, str, str, str]


@dataclass(frozen=True, slots=True)
class TaskRow:
    """A task with what a reader needs beside it: its account id, assignee email, flow key."""

    task: Task | TaskRecord  # a record: a task just made, read without a query
    account_id: str
    assignee: str | None
    flow: str | None


@dataclass(frozen=True)
class TaskFilter:
    assignee_user_id: uuid.UUID | None = None
    run_id: uuid.UUID | None = None
    # By what callers know: the customer's account id, the assignee's email.
    account_id: str | None = None
    assignee_email: str | None = None
    statuses: tuple[TaskStatus, ...] = ()
    play_id: uuid.UUID | None = None
    due_before: date | None = None
    limit: int = DEFAULT_PAGE_SIZE
    offset: int = 0


def get(session: Session, tenant_id: str, task_id: uuid.UUID) -> Task | None:
    task = session.get(Task, task_id)
    return task if task is not None and task.tenant_id == tenant_id else None


def get_for_update(session: Session, tenant_id: str, task_id: uuid.UUID) -> Task | None:
    """The task, locked until the transaction ends, so two status changes cannot cross
    (refreshed in case a copy read earlier in the transaction is stale)."""
    return session.scalars(
        select(Task)
        .where(Task.tenant_id == tenant_id, Task.id == task_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def add(session: Session, task: Task) -> Task:
    session.add(task)
    session.flush()
    return task


def delete(session: Session, task: Task) -> None:
    session.delete(task)
    session.flush()


def _matching(tenant_id: str, where: TaskFilter) -> _TaskRows:
    query = (
        select(Task, Account.account_id, User.email, Flow.key)
        .join(Account, Account.id == Task.account_id)
        .outerjoin(User, User.id == Task.assignee_user_id)
        .outerjoin(Flow, Flow.id == Task.flow_id)
        .where(Task.tenant_id == tenant_id)
    )
    if where.assignee_user_id is not None:
        query = query.where(Task.assignee_user_id == where.assignee_user_id)
    if where.run_id is not None:
        query = query.where(Task.run_id == where.run_id)
    if where.account_id is not None:
        query = query.where(Task.account_id == Account.key_of(tenant_id, where.account_id))
    if where.assignee_email is not None:
        query = query.where(User.email == where.assignee_email)
    if where.statuses:
        query = query.where(Task.status.in_(where.statuses))
    if where.play_id is not None:
        query = query.where(Task.play_id == where.play_id)
    if where.due_before is not None:
        query = query.where(Task.due_date < where.due_before)
    return query


def _rows(session: Session, query: _TaskRows) -> list[TaskRow]:
    return [TaskRow(*row) for row in session.execute(query)]


def find_page(session: Session, tenant_id: str, where: TaskFilter) -> tuple[list[TaskRow], int]:
    """A page of tasks with their account id, assignee email and flow key, newest first,
    and how many match in all."""
    query = _matching(tenant_id, where).order_by(Task.created_at.desc(), Task.id)
    rows, total = page_of_rows(session, query, where.limit, where.offset)
    return [TaskRow(*row) for row in rows], total


def read(session: Session, tenant_id: str, task_id: uuid.UUID) -> TaskRow | None:
    """One task as callers see it, or None when the tenant has no such task."""
    found = _rows(session, _matching(tenant_id, TaskFilter()).where(Task.id == task_id))
    return found[0] if found else None


def by_ids(session: Session, tenant_id: str, task_ids: Sequence[uuid.UUID]) -> list[TaskRow]:
    """These tasks as callers see them, oldest first."""
    found: list[TaskRow] = []
    for chunk in chunked(task_ids):
        query = _matching(tenant_id, TaskFilter()).where(Task.id.in_(chunk))
        found.extend(_rows(session, query.order_by(Task.created_at, Task.id)))
    return found


def of_run(session: Session, tenant_id: str, run_id: uuid.UUID) -> list[TaskRow]:
    """Every task a run made, oldest first."""
    query = _matching(tenant_id, TaskFilter(run_id=run_id)).order_by(Task.created_at, Task.id)
    return _rows(session, query)


def open_of_play(
    session: Session, tenant_id: str, play_id: uuid.UUID, account_pks: Sequence[uuid.UUID]
) -> list[tuple[uuid.UUID, uuid.UUID, datetime]]:
    """(account, run, created at) of each open task that a run of this play made on one of
    these accounts."""
    found: list[tuple[uuid.UUID, uuid.UUID, datetime]] = []
    for chunk in chunked(account_pks):
        rows = session.execute(
            select(Task.account_id, Task.run_id, Task.created_at).where(
                *_of_play(tenant_id, play_id),
                Task.account_id.in_(chunk),
                Task.run_id.is_not(None),
                IS_OPEN,
            )
        )
        found.extend((account, run, created) for account, run, created in rows if run is not None)
    return found


def count_open_of_play(session: Session, tenant_id: str, play_id: uuid.UUID) -> int:
    query = select(func.count()).select_from(Task)
    return session.scalar(query.where(*_of_play(tenant_id, play_id), IS_OPEN)) or 0


def cancel_open_of_play(session: Session, tenant_id: str, play_id: uuid.UUID) -> list[uuid.UUID]:
    """Cancel the play's open tasks; their ids."""
    cancelled = session.scalars(
        update(Task)
        .where(*_of_play(tenant_id, play_id), IS_OPEN)
        .values(status=TaskStatus.CANCELLED, updated_at=utcnow())
        .returning(Task.id)
        .execution_options(synchronize_session=False)
    )
    return list(cancelled)


def _of_play(tenant_id: str, play_id: uuid.UUID) -> tuple[ColumnElement[bool], ...]:
    return (Task.tenant_id == tenant_id, Task.play_id == play_id)
