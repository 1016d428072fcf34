"""``playrunner tasks``: what plays created, and moving it along."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated

import typer

from playrunner.cli.options import AsOption, JsonOption, ServiceOption
from playrunner.cli.output import Column, console, print_empty, print_json, print_table
from playrunner.enums import TaskStatus

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

app = typer.Typer(help="List tasks and change their status.", no_args_is_help=True)


@app.command("list")
def list_(
    assignee: Annotated[str | None, typer.Option(help="Only tasks assigned to this email.")] = None,
    account: Annotated[str | None, typer.Option(help="Only tasks on this account id.")] = None,
    status: Annotated[TaskStatus | None, typer.Option(help="Only tasks in this status.")] = None,
    run: Annotated[uuid.UUID | None, typer.Option(help="Only tasks made by this run.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many (newest first).")] = 50,
    service: ServiceOption = None,
    as_json: JsonOption = False,
) -> None:
    """List tasks, newest first."""
    from playrunner.auth.principal import operator
    from playrunner.cli.context import in_service
    from playrunner.tasks import service as tasks_service
    from playrunner.tasks.repository import TaskFilter

    where = TaskFilter(
        assignee_email=assignee,
        account_id=account,
        run_id=run,
        statuses=(status,) if status else (),
        limit=limit,
    )
    tasks, _ = in_service(
        service,
        lambda session, tenant_id: tasks_service.page_tasks(session, operator(tenant_id), where),
        read_only=True,
    )
    if as_json:
        print_json(tasks)
        return
    if not tasks:
        print_empty(
            "tasks",
            "Running a play makes them: playrunner run PLAY ACCOUNT_ID --as EMAIL"
            " (playrunner plays list shows the plays).",
            {"--assignee": assignee, "--account": account, "--status": status, "--run": run},
        )
        return
    print_table(
        "Tasks",
        [
            Column("id", "whole"),
            "title",
            "account",
            Column("assignee", drop=2),
            Column("flow", drop=4),
            Column("priority", drop=3),
            Column("due", "whole", drop=1),
            Column("status", "whole"),
        ],
        [
            [
                t.id,
                t.title,
                t.account_id,
                t.assignee,
                t.flow,
                {1: "high", 2: "normal", 3: "low"}.get(t.priority, t.priority),
                t.due_date,
                tasks_service.STATUS_LABELS[t.status],
            ]
            for t in tasks
        ],
    )


@app.command("update")
def update(
    task_id: Annotated[uuid.UUID, typer.Argument(help="The task's id.")],
    status: Annotated[TaskStatus, typer.Option(help="The new status.")],
    as_email: AsOption,
    touchpoint: Annotated[
        str | None, typer.Option(help="Touchpoint note (required by some plays to complete).")
    ] = None,
    service: ServiceOption = None,
) -> None:
    """Change a task's status as its assignee (or an admin)."""
    from playrunner.cli.context import in_service
    from playrunner.tasks import service as tasks_service
    from playrunner.users import service as users_service

    def work(session: Session, tenant_id: str) -> TaskStatus:
        actor = users_service.act_as(session, tenant_id, as_email)
        return tasks_service.set_status(session, actor, task_id, status, touchpoint).status

    new_status = in_service(service, work)
    console.print(f"Task {task_id} is now {tasks_service.STATUS_LABELS[new_status]}.")
