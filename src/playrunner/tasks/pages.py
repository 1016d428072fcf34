"""A task's page: what it is, where it came from, and moving it through Totango's four
status categories (completing it with a touchpoint note where its play asks for one)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from playrunner.accounts import service as accounts_service
from playrunner.accounts.schemas import AccountRead
from playrunner.api.dependencies import DatabaseDep
from playrunner.api.paths import TaskId
from playrunner.auth.principal import Principal
from playrunner.errors import InvalidRequest, PlayrunnerError
from playrunner.models import TaskStatus
from playrunner.plays import service as plays_service
from playrunner.runs import service as runs_service
from playrunner.runs.schemas import RunRead
from playrunner.tasks import service
from playrunner.tasks.schemas import TaskRead, TaskUpdate
from playrunner.ui.errors import field_messages
from playrunner.ui.pages import redirect, render
from playrunner.ui.routes import pages_router
from playrunner.ui.session import CurrentUser, PostedForm
from playrunner.validation import parse_model

router = pages_router()

STATUS_CHOICES = [(status.value, label) for status, label in service.STATUS_LABELS.items()]


@dataclass(frozen=True)
class TaskView:
    task: TaskRead
    account: AccountRead
    play: str | None
    run: RunRead | None


def _view(s: Session, user: Principal, task_id: uuid.UUID) -> TaskView:
    task = service.read_task(s, user, task_id)
    account = accounts_service.read_account(s, user.tenant_id, task.account_id)
    plays = plays_service.names_by_id(s, user.tenant_id, {task.play_id} if task.play_id else set())
    run = (
        runs_service.read_run_summary(s, user.tenant_id, task.run_id)
        if task.run_id is not None
        else None
    )
    return TaskView(task, account, plays.get(task.play_id) if task.play_id else None, run)


@router.get("/tasks/{task_id}")
async def task_page(
    request: Request, user: CurrentUser, task_id: TaskId, db: DatabaseDep, updated: str = ""
) -> Response:
    view = await db.read(lambda s: _view(s, user, task_id))
    return _render(request, view, updated=bool(updated))


@router.post("/tasks/{task_id}")
async def change_status(
    request: Request, user: CurrentUser, task_id: TaskId, form: PostedForm, db: DatabaseDep
) -> Response:
    """The API's update with the fields a person changes here: status and touchpoint note."""
    status = form.get("status")
    note = form.get("touchpoint_note")
    try:
        if status not in {value for value, _ in STATUS_CHOICES}:
            raise InvalidRequest("Choose the task's status", field="status")
        patch = parse_model(
            TaskUpdate, {"status": status, "touchpoint_note": note or None}, what="task"
        )
        await db.write(lambda s: service.update_task(s, user, task_id, patch))
    except PlayrunnerError as refused:
        view = await db.read(lambda s: _view(s, user, task_id))
        typed = {"status": status, "touchpoint_note": note}
        errors = field_messages(refused)
        return _render(request, view, errors=errors, typed=typed, status=refused.status_code)
    return redirect(f"/tasks/{task_id}?updated=1")


def _render(
    request: Request,
    view: TaskView,
    *,
    updated: bool = False,
    errors: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    task = view.task
    return render(
        request,
        "tasks/task.html",
        {
            "view": view,
            "task": task,
            "is_open": task.status in (TaskStatus.NOT_STARTED, TaskStatus.STARTED),
            "status_choices": STATUS_CHOICES,
            "updated": updated,
            "errors": errors or {},
            "typed": typed or {"status": task.status.value, "touchpoint_note": ""},
        },
        status=status,
    )
