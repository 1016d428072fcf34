"""Queries for tasks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from playrunner.models import Account, Flow, Task, TaskStatus, User
from playrunner.pagination import DEFAULT_PAGE_SIZE
from playrunner.tasks.schemas import TaskRead


@dataclass(frozen=True)
class TaskFilter:
    assignee_user_id: uuid.UUID | None = None
    account_pk: uuid.UUID | None = None
    run_id: uuid.UUID | None = None
    status: TaskStatus | None = None
    limit: int = DEFAULT_PAGE_SIZE


def get(session: Session, tenant_id: str, task_id: uuid.UUID) -> Task | None:
    task = session.get(Task, task_id)
    return task if task is not None and task.tenant_id == tenant_id else None


def find(session: Session, tenant_id: str, where: TaskFilter) -> list[TaskRead]:
    """Tasks with their account id, assignee email and flow key, newest first."""
    query = (
        select(Task, Account.account_id, User.email, Flow.key)
        .join(Account, Account.id == Task.account_id)
        .outerjoin(User, User.id == Task.assignee_user_id)
        .outerjoin(Flow, Flow.id == Task.flow_id)
        .where(Task.tenant_id == tenant_id)
    )
    if where.assignee_user_id is not None:
        query = query.where(Task.assignee_user_id == where.assignee_user_id)
    if where.account_pk is not None:
        query = query.where(Task.account_id == where.account_pk)
    if where.run_id is not None:
        query = query.where(Task.run_id == where.run_id)
    if where.status is not None:
        query = query.where(Task.status == where.status)
    query = query.order_by(Task.created_at.desc(), Task.id).limit(where.limit)
    return [
        to_read(task, account_id, assignee, flow)
        for task, account_id, assignee, flow in session.execute(query)
    ]


def to_read(task: Task, account_id: str, assignee: str | None, flow: str | None) -> TaskRead:
    return TaskRead(
        id=task.id,
        title=task.title,
        description=task.description,
        account_id=account_id,
        assignee=assignee,
        flow=flow,
        priority=task.priority,
        status=task.status,
        due_date=task.due_date,
        run_id=task.run_id,
        play_id=task.play_id,
        touchpoint_required=task.touchpoint_required,
        touchpoint_note=task.touchpoint_note,
        assignee_fallback=task.assignee_fallback,
        created_at=task.created_at,
        completed_at=task.completed_at,
    )
