"""The queries behind "My work": a person's tasks and form requests as one list.

Both kinds share one vocabulary of states (Totango's four task categories: a form request is
Not Started while open, Completed once submitted). The list's order is open work that is
overdue first, then by due date (none last), then oldest first.

A page costs a few small queries however much work a person has, from two indexes per table:
how much each state holds, counted in ``ix_tasks_work_counts`` (tenant, assignee, status,
due date) alone; the page's ids, read in the list's order straight from ``ix_tasks_work``
(tenant, assignee, due date, creation, id, status), each table in three runs (overdue,
dated, not dated) that stop after ``offset + limit`` rows, then merged; then the page's rows
with their account, play and form. (The same for form requests.)
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from playrunner.models import (
    OPEN_TASK_STATUSES,
    Account,
    Form,
    FormRequest,
    FormRequestStatus,
    SuccessPlay,
    Task,
    TaskStatus,
)

# A form request's status in the task vocabulary.
AS_TASK_STATE = {
    FormRequestStatus.OPEN: TaskStatus.NOT_STARTED,
    FormRequestStatus.SUBMITTED: TaskStatus.COMPLETED,
    FormRequestStatus.CANCELLED: TaskStatus.CANCELLED,
}
TASK = "task"
FORM_REQUEST = "form_request"


@dataclass(frozen=True)
class WorkFilter:
    assignee_user_id: uuid.UUID
    states: tuple[TaskStatus, ...] = ()  # none: every state
    overdue_on: date | None = None  # only open work due before this day
    account_keys: tuple[uuid.UUID, ...] | None = None  # only these accounts' work
    play_id: uuid.UUID | None = None
    due_from: date | None = None
    due_before: date | None = None
    no_due_date: bool = False
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True, slots=True)
class WorkRow:
    kind: str  # "task" or "form_request"
    id: uuid.UUID
    title: str
    account_id: str
    account_name: str
    due_date: date | None
    state: TaskStatus
    play_id: uuid.UUID | None
    created_at: datetime
    priority: int | None
    play: str | None


Item = type[Task] | type[FormRequest]


def _filters(model: Item, tenant_id: str, where: WorkFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        model.tenant_id == tenant_id,
        model.assignee_user_id == where.assignee_user_id,
    ]
    if where.account_keys is not None:
        conditions.append(model.account_id.in_(where.account_keys))
    if where.play_id is not None:
        conditions.append(model.play_id == where.play_id)
    if where.due_from is not None:
        conditions.append(model.due_date >= where.due_from)
    if where.due_before is not None:
        conditions.append(model.due_date < where.due_before)
    if where.no_due_date:
        conditions.append(model.due_date.is_(None))
    return conditions


def _state_filters(model: Item, where: WorkFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if model is Task:
        if where.states:
            conditions.append(Task.status.in_(where.states))
        if where.overdue_on is not None:
            conditions += [Task.status.in_(OPEN_TASK_STATUSES), Task.due_date < where.overdue_on]
        return conditions
    if where.states:
        wanted = [status for status, state in AS_TASK_STATE.items() if state in where.states]
        conditions.append(FormRequest.status.in_(wanted))
    if where.overdue_on is not None:
        conditions += [
            FormRequest.status == FormRequestStatus.OPEN,
            FormRequest.due_date < where.overdue_on,
        ]
    return conditions


def accounts_matching(session: Session, tenant_id: str, text: str) -> tuple[uuid.UUID, ...]:
    """The keys of the accounts whose id or name holds ``text`` (any case)."""
    return tuple(
        session.scalars(
            select(Account.id).where(
                Account.tenant_id == tenant_id,
                or_(
                    Account.account_id.icontains(text, autoescape=True),
                    Account.name.icontains(text, autoescape=True),
                ),
            )
        )
    )


def counts(
    session: Session, tenant_id: str, where: WorkFilter, today: date
) -> tuple[dict[TaskStatus, int], int]:
    """How much work each state holds, and how much open work is overdue (under every filter
    but the state's)."""
    by_state: dict[TaskStatus, int] = {}
    overdue = 0
    for model, open_statuses in (
        (Task, OPEN_TASK_STATUSES),
        (FormRequest, (FormRequestStatus.OPEN,)),
    ):
        late = and_(model.status.in_(open_statuses), model.due_date < today)
        rows = session.execute(
            select(model.status, func.count(), func.sum(case((late, 1), else_=0)))
            .where(*_filters(model, tenant_id, where))
            .group_by(model.status)
        )
        for status, count, late_count in rows:
            state = TaskStatus(status) if model is Task else AS_TASK_STATE[status]
            by_state[state] = by_state.get(state, 0) + count
            overdue += int(late_count or 0)
    return by_state, overdue


def page_ids(
    session: Session, tenant_id: str, where: WorkFilter, today: date
) -> list[tuple[str, uuid.UUID]]:
    """The kind and id of each item of the page, in the list's order."""
    wanted = where.offset + where.limit
    runs = [
        run
        for model, kind in ((Task, TASK), (FormRequest, FORM_REQUEST))
        for run in _runs(model, kind, tenant_id, where, today, wanted)
    ]
    work = union_all(*runs).subquery("work")
    rows = session.execute(
        select(work.c.kind, work.c.id)
        .order_by(work.c.segment, work.c.due_date, work.c.created_at, work.c.id)
        .limit(where.limit)
        .offset(where.offset)
    )
    return [(kind, item_id) for kind, item_id in rows]


def _runs(
    model: Item, kind: str, tenant_id: str, where: WorkFilter, today: date, wanted: int
) -> list[Select[Any]]:
    """The table's part of the list in three runs, each in the index's own order (due date,
    creation, id) so it is read, not sorted, and cut at ``wanted`` rows: open work already
    overdue (0), the rest with a due date (1), and the rest without (2)."""
    open_statuses = OPEN_TASK_STATUSES if model is Task else (FormRequestStatus.OPEN,)
    overdue = and_(model.status.in_(open_statuses), model.due_date < today)
    base = [*_filters(model, tenant_id, where), *_state_filters(model, where)]
    runs = []
    for segment, condition in (
        (0, overdue),
        (1, and_(model.due_date.is_not(None), ~overdue)),
        (2, model.due_date.is_(None)),
    ):
        run = (
            select(
                literal(segment).label("segment"),
                literal(kind, String).label("kind"),
                model.id.label("id"),
                model.due_date.label("due_date"),
                model.created_at.label("created_at"),
            )
            .where(*base, condition)
            .order_by(model.due_date, model.created_at, model.id)
            .limit(wanted)
            .subquery()
        )
        runs.append(select(run))
    return runs


def rows_of(
    session: Session, tenant_id: str, ids: Sequence[tuple[str, uuid.UUID]]
) -> list[WorkRow]:
    """The items of a page with their account, play and (for a form request) form, in the
    order given."""
    tasks = [item_id for kind, item_id in ids if kind == TASK]
    requests = [item_id for kind, item_id in ids if kind == FORM_REQUEST]
    found: dict[uuid.UUID, WorkRow] = {}
    if tasks:
        task_rows = session.execute(
            select(Task, Account.account_id, Account.name, SuccessPlay.name)
            .join(Account, Account.id == Task.account_id)
            .outerjoin(SuccessPlay, SuccessPlay.id == Task.play_id)
            .where(Task.tenant_id == tenant_id, Task.id.in_(tasks))
        )
        for task, account_id, account_name, play in task_rows:
            found[task.id] = WorkRow(
                kind=TASK,
                id=task.id,
                title=task.title,
                account_id=account_id,
                account_name=account_name,
                due_date=task.due_date,
                state=task.status,
                play_id=task.play_id,
                created_at=task.created_at,
                priority=task.priority,
                play=play,
            )
    if requests:
        request_rows = session.execute(
            select(FormRequest, Form.name, Account.account_id, Account.name, SuccessPlay.name)
            .join(Form, Form.id == FormRequest.form_id)
            .join(Account, Account.id == FormRequest.account_id)
            .outerjoin(SuccessPlay, SuccessPlay.id == FormRequest.play_id)
            .where(FormRequest.tenant_id == tenant_id, FormRequest.id.in_(requests))
        )
        for request, form, account_id, account_name, play in request_rows:
            found[request.id] = WorkRow(
                kind=FORM_REQUEST,
                id=request.id,
                title=form,
                account_id=account_id,
                account_name=account_name,
                due_date=request.due_date,
                state=AS_TASK_STATE[request.status],
                play_id=request.play_id,
                created_at=request.created_at,
                priority=None,
                play=play,
            )
    return [found[item_id] for _, item_id in ids if item_id in found]
