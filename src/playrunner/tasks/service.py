"""Tasks: made by plays (or directly), listed, and moved through their statuses.

Who may do what (the Tasks API and the CLI alike): admins create, change and delete any task
of their service; a regular user sees only the tasks assigned to them (any other task is
"not found" to them) and may change only their status and touchpoint note. Creating tasks is
for admins only: Totango lets practitioners create them in its UI, but its API is an admin's
integration tool, and a regular user's tasks come from plays.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Literal

from sqlalchemy.orm import Session

from playrunner.accounts import service as accounts_service
from playrunner.auth.principal import Principal, require_service_admin
from playrunner.clock import utcnow
from playrunner.errors import AccountNotFound, Conflict, InvalidRequest, NotFound, PermissionDenied
from playrunner.flows import service as flows_service
from playrunner.ids import as_uuid, time_ordered_id
from playrunner.models import CLOSED_TASK_STATUSES, OPEN_TASK_STATUSES, Task, TaskStatus
from playrunner.models.records import TaskRecord
from playrunner.tasks import repository
from playrunner.tasks.repository import TaskFilter, TaskRow
from playrunner.tasks.schemas import (
    ASSIGNEE_FIELDS,
    StatusInput,
    TaskCreate,
    TaskRead,
    TaskUpdate,
)
from playrunner.users import service as users_service
from playrunner.validation import canonical_email
from playrunner.webhooks import service as webhooks_service

TaskEvent = Literal["task.created", "task.updated"]

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
) -> TaskRecord:
    """A new task's row (its id made here, not by the database)."""
    now = utcnow()
    return TaskRecord(
        id=time_ordered_id(),
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


def task_read(row: TaskRow) -> TaskRead:
    """A task as callers see it."""
    task = row.task
    return TaskRead(
        id=task.id,
        title=task.title,
        description=task.description,
        account_id=row.account_id,
        assignee=row.assignee,
        flow=row.flow,
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


def page_tasks(session: Session, actor: Principal, where: TaskFilter) -> tuple[list[TaskRead], int]:
    """A page of the tasks ``actor`` may see (a regular user: their own) and the total: for
    the API, the pages and the CLI alike."""
    where = replace(
        where,
        assignee_email=canonical_email(where.assignee_email) if where.assignee_email else None,
        assignee_user_id=actor.sees_items_of(where.assignee_user_id),
    )
    rows, total = repository.find_page(session, actor.tenant_id, where)
    return [task_read(row) for row in rows], total


def get_task(
    session: Session, tenant_id: str, task_id: uuid.UUID, *, for_update: bool = False
) -> Task:
    """The task; ``for_update`` locks it until the transaction ends (to change it)."""
    find = repository.get_for_update if for_update else repository.get
    task = find(session, tenant_id, task_id)
    if task is None:
        raise NotFound(f"Task {task_id} not found", field="task_id")
    return task


def get_visible_task(
    session: Session, actor: Principal, task_id: uuid.UUID, *, for_update: bool = False
) -> Task:
    """The task, if ``actor`` may see it: admins see all of their service's, others their own."""
    task = get_task(session, actor.tenant_id, task_id, for_update=for_update)
    if not actor.may_act_on(task.assignee_user_id):
        raise NotFound(f"Task {task_id} not found", field="task_id")
    return task


def read_task(session: Session, actor: Principal, task_id: uuid.UUID) -> TaskRead:
    """One task as callers see it, with the visibility of ``get_visible_task``."""
    get_visible_task(session, actor, task_id)
    found = repository.read(session, actor.tenant_id, task_id)
    if found is None:  # pragma: no cover - the task was just read in this transaction
        raise NotFound(f"Task {task_id} not found", field="task_id")
    return task_read(found)


def create_task(session: Session, actor: Principal, spec: TaskCreate) -> Task:
    """Totango's ``POST /api/v3/tasks`` (admins only). Without an assignee the task is the
    caller's; an unknown account is Totango's ``400 Account not found``."""
    require_service_admin(actor)
    account_pk = _account_pk(session, actor.tenant_id, spec.account_id)
    record = new_task(
        tenant_id=actor.tenant_id,
        account_pk=account_pk,
        title=spec.title,
        description=spec.description,
        priority=spec.priority,
        due_date=spec.due_date,
        assignee_user_id=(
            resolve_assignee(session, actor.tenant_id, spec.assignee)
            if spec.assignee is not None
            else actor.user_id
        ),
        flow_id=(
            _flow_pk(session, actor.tenant_id, spec.activity_type_id)
            if spec.activity_type_id is not None
            else None
        ),
    )
    task = Task(**record.values())
    task.status = target_status(TaskStatus.NOT_STARTED, spec.status)
    if task.status is TaskStatus.COMPLETED:
        task.completed_at = task.created_at
    repository.add(session, task)
    _announce(session, actor, "task.created", task.id)
    return task


def update_task(session: Session, actor: Principal, task_id: uuid.UUID, patch: TaskUpdate) -> Task:
    """Totango's ``PUT /api/v3/tasks/{id}``: change the fields given. Status changes follow
    ``set_status``; a touchpoint note already recorded counts when the task is completed."""
    task = get_visible_task(session, actor, task_id, for_update=True)
    given = patch.model_fields_set
    if not actor.is_admin:
        refused = sorted(given - ASSIGNEE_FIELDS)
        if refused:
            raise PermissionDenied(
                f"Only an admin may change {', '.join(refused)}; a task's assignee may change"
                " its status and touchpoint_note",
                field=refused[0],
            )
    tenant_id = actor.tenant_id
    if patch.title is not None:
        task.title = patch.title
    if patch.description is not None:
        task.description = patch.description
    if patch.account_id is not None:
        task.account_id = _account_pk(session, tenant_id, patch.account_id)
    if "due_date" in given:
        task.due_date = patch.due_date
    if patch.priority is not None:
        task.priority = patch.priority
    if "assignee" in given:
        task.assignee_user_id = (
            resolve_assignee(session, tenant_id, patch.assignee) if patch.assignee else None
        )
    if "activity_type_id" in given:
        task.flow_id = (
            _flow_pk(session, tenant_id, patch.activity_type_id) if patch.activity_type_id else None
        )
    note = patch.touchpoint_note if "touchpoint_note" in given else task.touchpoint_note
    status = target_status(task.status, patch.status) if patch.status else task.status
    moved = status != task.status
    if moved:
        session.flush()  # the edits above, before set_status reads the task again
        set_status(session, actor, task.id, status, note, announce=False)
    # Completing wrote the note already; otherwise a given note is recorded as it is.
    if "touchpoint_note" in given and not (moved and status is TaskStatus.COMPLETED):
        cleaned = (note or "").strip() or None
        if task.status is TaskStatus.COMPLETED and task.touchpoint_required and cleaned is None:
            raise InvalidRequest(
                "This task requires a touchpoint note when it is completed",
                field="touchpoint_note",
            )
        task.touchpoint_note = cleaned
    session.flush()
    _announce(session, actor, "task.updated", task.id)
    return task


def _announce(
    session: Session, actor: Principal, event_type: TaskEvent, task_id: uuid.UUID
) -> None:
    """The event for webhook endpoints that listen, with the task as the API shows it."""
    if webhooks_service.listening(session, actor.tenant_id, [event_type]):
        task = read_task(session, actor, task_id)
        webhooks_service.publish(session, actor.tenant_id, event_type, [task])


def delete_task(session: Session, actor: Principal, task_id: uuid.UUID) -> None:
    """Totango's task delete (admins only)."""
    require_service_admin(actor)
    repository.delete(session, get_task(session, actor.tenant_id, task_id, for_update=True))


def target_status(current: TaskStatus, requested: StatusInput) -> TaskStatus:
    """The status a request asks for. Totango's legacy ``open`` keeps an open task as it is
    (a started task stays started); ``closed`` completes an open one."""
    if requested == "open":
        return current if current in OPEN_TASK_STATUSES else TaskStatus.NOT_STARTED
    if requested == "closed":
        return current if current in CLOSED_TASK_STATUSES else TaskStatus.COMPLETED
    return TaskStatus(requested)


def resolve_assignee(session: Session, tenant_id: str, value: str) -> uuid.UUID:
    """The active user of the tenant named by an email or a user id (Totango takes both)."""
    user_id = as_uuid(value)
    user = (
        users_service.find_user(session, tenant_id, user_id)
        if user_id is not None
        else users_service.find_by_email(session, tenant_id, value)
    )
    if user is None:
        raise InvalidRequest(f"Assignee {value!r} not found", field="assignee")
    if not user.active:
        raise InvalidRequest(f"Assignee {user.email} is deactivated", field="assignee")
    return user.id


def _account_pk(session: Session, tenant_id: str, account_id: str) -> uuid.UUID:
    account = accounts_service.find_account(session, tenant_id, account_id)
    if account is None:
        error = AccountNotFound()
        error.field = "account_id"  # Totango's Tasks API spells it this way
        raise error
    return account.id


def _flow_pk(session: Session, tenant_id: str, key: str) -> uuid.UUID:
    flow = flows_service.find_flow(session, tenant_id, key)
    if flow is None:
        raise InvalidRequest(f"Activity type {key!r} not found", field="activity_type_id")
    return flow.id


def set_status(
    session: Session,
    actor: Principal,
    task_id: uuid.UUID,
    status: TaskStatus,
    touchpoint_note: str | None = None,
    *,
    announce: bool = True,
) -> Task:
    """Move a task on. Completing one whose play asks for a touchpoint needs the note.
    ``announce``: publish ``task.updated`` (a caller making more changes does it after)."""
    task = get_task(session, actor.tenant_id, task_id, for_update=True)
    if not actor.may_act_on(task.assignee_user_id):
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
    if announce:
        _announce(session, actor, "task.updated", task.id)
    return task


# A play's open tasks: what its duplicate policy looks for, and what deleting it may cancel.


def open_of_play(
    session: Session, tenant_id: str, play_id: uuid.UUID, account_pks: Sequence[uuid.UUID]
) -> list[tuple[uuid.UUID, uuid.UUID, datetime]]:
    """(account, run, created at) of the play's open tasks on these accounts."""
    return repository.open_of_play(session, tenant_id, play_id, account_pks)


def count_open_of_play(session: Session, tenant_id: str, play_id: uuid.UUID) -> int:
    return repository.count_open_of_play(session, tenant_id, play_id)


def cancel_open_of_play(session: Session, tenant_id: str, play_id: uuid.UUID) -> None:
    """Cancel every open task the play made (the play is being deleted): ``task.updated``
    for each."""
    cancelled = repository.cancel_open_of_play(session, tenant_id, play_id)
    if cancelled and webhooks_service.listening(session, tenant_id, ["task.updated"]):
        tasks = [task_read(row) for row in repository.by_ids(session, tenant_id, cancelled)]
        webhooks_service.publish(session, tenant_id, "task.updated", tasks)


def read_new(
    tasks: Sequence[TaskRecord],
    account_ids: Mapping[uuid.UUID, str],
    assignees: Mapping[uuid.UUID, str | None],
    flows: Mapping[uuid.UUID, str],
) -> list[TaskRead]:
    """Tasks just made, as callers will see them, from what the run knows (account ids by
    primary key, assignees' emails by task id, flow keys by primary key): no query."""
    return [
        task_read(
            TaskRow(
                task,
                account_ids[task.account_id],
                assignees.get(task.id),
                flows.get(task.flow_id) if task.flow_id else None,
            )
        )
        for task in tasks
    ]


def read_of_run(session: Session, tenant_id: str, run_id: uuid.UUID) -> list[TaskRead]:
    """Every task a run made, oldest first, as callers see them."""
    return [task_read(row) for row in repository.of_run(session, tenant_id, run_id)]
