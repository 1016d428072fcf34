"""Tasks: made by plays (or directly), listed, and moved through their statuses."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from playrunner.auth.principal import Principal
from playrunner.clock import utcnow
from playrunner.errors import Conflict, InvalidRequest, NotFound, PermissionDenied
from playrunner.models import Task, TaskStatus
from playrunner.pagination import check_page_size
from playrunner.tasks import repository
from playrunner.tasks.repository import TaskFilter
from playrunner.tasks.schemas import TaskRead

STATUS_LABELS = {
    TaskStatus.NOT_STARTED: "Not Started",
    TaskStatus.STARTED: "Started",
    TaskStatus.COMPLETED: "Completed",
    TaskStatus.CANCELLED: "Cancelled",
}


def new_task(
    *,
    tenant_id: str,
    account_pk: uuid.UUID,
    title: str,
    description: str,
    priority: int,
    due_date: date | None,
    assignee_user_id: uuid.UUID | None,
    flow_id: uuid.UUID | None = None,
    run_id: uuid.UUID | None = None,
    play_id: uuid.UUID | None = None,
    touchpoint_required: bool = False,
    assignee_fallback: str | None = None,
) -> Task:
    """A task ready to be added to the unit of work (ids are assigned here, not on flush)."""
    now = utcnow()
    return Task(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        account_id=account_pk,
        run_id=run_id,
        play_id=play_id,
        flow_id=flow_id,
        title=title,
        description=description,
        priority=priority,
        due_date=due_date,
        status=TaskStatus.NOT_STARTED,
        assignee_user_id=assignee_user_id,
        assignee_fallback=assignee_fallback,
        touchpoint_required=touchpoint_required,
        created_at=now,
        updated_at=now,
    )


def list_tasks(session: Session, tenant_id: str, where: TaskFilter) -> list[TaskRead]:
    check_page_size(where.limit)
    return repository.find(session, tenant_id, where)


def get_task(session: Session, tenant_id: str, task_id: uuid.UUID) -> Task:
    task = repository.get(session, tenant_id, task_id)
    if task is None:
        raise NotFound(f"Task {task_id} not found", field="task_id")
    return task


def set_status(
    session: Session,
    actor: Principal,
    task_id: uuid.UUID,
    status: TaskStatus,
    touchpoint_note: str | None = None,
) -> Task:
    """Move a task on. Completing one whose play asks for a touchpoint needs the note."""
    task = get_task(session, actor.tenant_id, task_id)
    if not actor.is_admin and task.assignee_user_id != actor.user_id:
        raise PermissionDenied("Only the task's assignee or an admin may change it")
    if task.status in (TaskStatus.COMPLETED, TaskStatus.CANCELLED) and status != task.status:
        raise Conflict(f"Task is already {STATUS_LABELS[task.status]}", field="status")
    if status is TaskStatus.COMPLETED:
        note = (touchpoint_note or "").strip()
        if task.touchpoint_required and not note:
            raise InvalidRequest(
                "This task requires a touchpoint note when it is completed",
                field="touchpoint_note",
            )
        task.touchpoint_note = note or None
        task.completed_at = utcnow()
    task.status = status
    session.flush()
    return task
