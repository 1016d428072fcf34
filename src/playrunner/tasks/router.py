"""``/api/v3/tasks``: Totango's Tasks API, plus listing and reading tasks.

Writes (POST, PUT, DELETE) answer as Totango does: the text ``Success``, and failures as the
bare message (``400 Account not found``), unless the client sends ``Accept: application/json``.
Reads answer JSON, and RFC 9457 problem details on failure. Admins create, change and delete
any task of their service; a regular user lists, reads and updates (status, touchpoint note)
only the tasks assigned to them.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from starlette.responses import Response

from playrunner.api.bodies import read_json_body
from playrunner.api.dependencies import DatabaseDep
from playrunner.api.negotiation import wants_json
from playrunner.api.openapi import READ_ERRORS, error_responses, text_example
from playrunner.api.pagination import Page, PageDep
from playrunner.api.paths import TaskId
from playrunner.api.routes import TotangoCompatibleRoute
from playrunner.auth.dependencies import AdminPrincipal, CurrentPrincipal, require_scope
from playrunner.tasks import service
from playrunner.tasks.repository import TaskFilter
from playrunner.tasks.schemas import (
    DueDate,
    StatusInput,
    TaskCreate,
    TaskDeleted,
    TaskRead,
    TaskUpdate,
    statuses_for,
)
from playrunner.validation import FilterText, parse_model

TASK_ID_HEADER = "X-Task-Id"
TAG = "Tasks (Totango-compatible)"

router = APIRouter(tags=[TAG])
# The writes answer in Totango's words; included into ``router`` at the end of the module.
totango_router = APIRouter(route_class=TotangoCompatibleRoute, tags=[TAG])

ERROR_EXAMPLES = {
    400: [
        "Account not found",
        "Invalid task: due_date: must be a date as YYYY-MM-DD",
        "Assignee 'nobody@example.com' not found",
        "This task requires a touchpoint note when it is completed",
    ],
    401: ["Invalid token"],
    403: ["User is not authorized with role: SERVICE_ADMIN"],
    404: ["Task 3f8e3a4e-8a43-4c55-9b0e-1d6f2f0e6a11 not found"],
    409: ["Task is already Completed"],
}


def _request_body(model: type[BaseModel]) -> dict[str, Any]:
    """The body in OpenAPI; the route parses it itself so failures answer as text."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        }
    }


def _write_responses(description: str, *statuses: int) -> dict[int | str, Any]:
    """``Success`` as text (the JSON form comes from the route's response model), the
    ``X-Task-Id`` header, and the errors as text or problem details."""
    return {
        200: {
            "description": description,
            "headers": {
                TASK_ID_HEADER: {
                    "description": "The task's id",
                    "schema": {"type": "string", "format": "uuid"},
                }
            },
            "content": {"text/plain": text_example("Success")},
        },
        **error_responses(*statuses, examples=ERROR_EXAMPLES),
    }


@router.get(
    "/api/v3/tasks",
    operation_id="listTasks",
    dependencies=[require_scope("tasks:read")],
    response_model=Page[TaskRead],
    responses=READ_ERRORS,
)
async def list_tasks(
    principal: CurrentPrincipal,
    db: DatabaseDep,
    page: PageDep,
    assignee: Annotated[
        FilterText | None, Query(description="Only tasks assigned to this email")
    ] = None,
    account: Annotated[
        FilterText | None, Query(description="Only tasks on this account id")
    ] = None,
    status: Annotated[
        StatusInput | None,
        Query(description="Only tasks in this status; `open` and `closed` cover two each"),
    ] = None,
    play: Annotated[uuid.UUID | None, Query(description="Only tasks made by this play")] = None,
    due_before: Annotated[
        DueDate | None, Query(description="Only tasks due before this date (YYYY-MM-DD)")
    ] = None,
) -> Page[TaskRead]:
    """Tasks of your service, newest first; a regular user sees only their own."""
    where = TaskFilter(
        assignee_email=assignee,
        account_id=account,
        statuses=statuses_for(status) if status else (),
        play_id=play,
        due_before=due_before,
        limit=page.limit,
        offset=page.offset,
    )
    items, total = await db.read(lambda s: service.page_tasks(s, principal, where))
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get(
    "/api/v3/tasks/{task_id}",
    operation_id="getTask",
    dependencies=[require_scope("tasks:read")],
    response_model=TaskRead,
    responses=READ_ERRORS,
)
async def get_task(principal: CurrentPrincipal, task_id: TaskId, db: DatabaseDep) -> TaskRead:
    """One task; another user's task is not found for a regular user."""
    return await db.read(lambda s: service.read_task(s, principal, task_id))


@totango_router.post(
    "/api/v3/tasks",
    operation_id="createTask",
    dependencies=[require_scope("tasks:write")],
    summary="Create a task (Totango's Tasks API)",
    response_model=TaskRead,
    openapi_extra=_request_body(TaskCreate),
    responses=_write_responses(
        "Created; the `X-Task-Id` header names the task.", 400, 401, 403, 429, 503
    ),
)
async def create_task(request: Request, principal: AdminPrincipal, db: DatabaseDep) -> Response:
    """Create a task on an account (admins only). Answers `Success`, or the task as JSON to
    clients that ask for it; an unknown account is `400 Account not found`."""
    spec = parse_model(TaskCreate, await read_json_body(request), what="task")
    task = await db.write(
        lambda s: service.read_task(s, principal, service.create_task(s, principal, spec).id)
    )
    return _success(request, task.id, task)


@totango_router.put(
    "/api/v3/tasks/{task_id}",
    operation_id="updateTask",
    dependencies=[require_scope("tasks:write")],
    summary="Update a task (Totango's Tasks API)",
    response_model=TaskRead,
    openapi_extra=_request_body(TaskUpdate),
    responses=_write_responses(
        "Updated; the `X-Task-Id` header names the task.", 400, 401, 403, 404, 409, 429, 503
    ),
)
async def update_task(
    request: Request, principal: CurrentPrincipal, task_id: TaskId, db: DatabaseDep
) -> Response:
    """Change the fields given. A regular user may change only the status and touchpoint note
    of their own tasks. Completing a task whose play requires a touchpoint needs a note;
    completed and cancelled tasks cannot move."""
    patch = parse_model(TaskUpdate, await read_json_body(request), what="task")
    task = await db.write(
        lambda s: service.read_task(
            s, principal, service.update_task(s, principal, task_id, patch).id
        )
    )
    return _success(request, task.id, task)


@totango_router.delete(
    "/api/v3/tasks/{task_id}",
    operation_id="deleteTask",
    dependencies=[require_scope("tasks:write")],
    summary="Delete a task (Totango's Tasks API)",
    response_model=TaskDeleted,
    responses=_write_responses("Deleted.", 400, 401, 403, 404, 429, 503),
)
async def delete_task(
    request: Request, principal: AdminPrincipal, task_id: TaskId, db: DatabaseDep
) -> Response:
    """Delete a task (admins only)."""
    await db.write(lambda s: service.delete_task(s, principal, task_id))
    return _success(request, task_id, TaskDeleted(status="Success", id=task_id))


def _success(request: Request, task_id: uuid.UUID, result: TaskRead | TaskDeleted) -> Response:
    headers = {TASK_ID_HEADER: str(task_id)}
    if wants_json(request.headers):
        return Response(result.model_dump_json(), 200, headers, "application/json")
    return Response("Success", 200, headers, "text/plain; charset=utf-8")


router.include_router(totango_router)
