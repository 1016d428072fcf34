"""The query behind "My work": a person's tasks and form requests as one list.

Both kinds are read with the same columns and one vocabulary of states (Totango's four task
categories: a form request is Not Started while open, Completed once submitted), filtered in
each table where its indexes apply, then put in one order: open work that is overdue first,
then by due date (none last), then oldest first.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    case,
    func,
    literal,
    null,
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

# A form request's status in the task vocabulary, and back.
_AS_TASK_STATE = {
    FormRequestStatus.OPEN: TaskStatus.NOT_STARTED,
    FormRequestStatus.SUBMITTED: TaskStatus.COMPLETED,
    FormRequestStatus.CANCELLED: TaskStatus.CANCELLED,
}


@dataclass(frozen=True)
class WorkFilter:
    assignee_user_id: uuid.UUID
    states: tuple[TaskStatus, ...] = ()  # none: every state
    overdue_on: date | None = None  # only open work due before this day
    account: str | None = None  # part of the account's id or name
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


def _common(model: type[Task] | type[FormRequest], where: WorkFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [model.assignee_user_id == where.assignee_user_id]
    if where.account:
        conditions.append(
            or_(
                Account.account_id.icontains(where.account, autoescape=True),
                Account.name.icontains(where.account, autoescape=True),
            )
        )
    if where.play_id is not None:
        conditions.append(model.play_id == where.play_id)
    if where.due_from is not None:
        conditions.append(model.due_date >= where.due_from)
    if where.due_before is not None:
        conditions.append(model.due_date < where.due_before)
    if where.no_due_date:
        conditions.append(model.due_date.is_(None))
    return conditions


def _tasks(tenant_id: str, where: WorkFilter, with_states: bool) -> Select[*tuple[Any, ...]]:
    conditions = [Task.tenant_id == tenant_id, *_common(Task, where)]
    if with_states and where.states:
        conditions.append(Task.status.in_(where.states))
    if with_states and where.overdue_on is not None:
        conditions += [Task.status.in_(OPEN_TASK_STATUSES), Task.due_date < where.overdue_on]
    return (
        select(
            literal("task", String).label("kind"),
            Task.id.label("id"),
            Task.title.label("title"),
            Account.account_id.label("account_id"),
            Account.name.label("account_name"),
            Task.due_date.label("due_date"),
            Task.status.label("state"),
            Task.play_id.label("play_id"),
            Task.created_at.label("created_at"),
            Task.priority.label("priority"),
        )
        .join(Account, Account.id == Task.account_id)
        .where(*conditions)
    )


def _form_requests(
    tenant_id: str, where: WorkFilter, with_states: bool
) -> Select[*tuple[Any, ...]]:
    conditions = [FormRequest.tenant_id == tenant_id, *_common(FormRequest, where)]
    if with_states and where.states:
        wanted = [status for status, state in _AS_TASK_STATE.items() if state in where.states]
        conditions.append(FormRequest.status.in_(wanted))
    if with_states and where.overdue_on is not None:
        conditions += [
            FormRequest.status == FormRequestStatus.OPEN,
            FormRequest.due_date < where.overdue_on,
        ]
    state = case(
        *(
            (FormRequest.status == status, literal(state.value))
            for status, state in _AS_TASK_STATE.items()
        ),
        else_=literal(TaskStatus.CANCELLED.value),
    )
    return (
        select(
            literal("form_request", String).label("kind"),
            FormRequest.id.label("id"),
            Form.name.label("title"),
            Account.account_id.label("account_id"),
            Account.name.label("account_name"),
            FormRequest.due_date.label("due_date"),
            state.label("state"),
            FormRequest.play_id.label("play_id"),
            FormRequest.created_at.label("created_at"),
            null().cast(Integer).label("priority"),
        )
        .join(Account, Account.id == FormRequest.account_id)
        .join(Form, Form.id == FormRequest.form_id)
        .where(*conditions)
    )


def find_page(
    session: Session, tenant_id: str, where: WorkFilter, today: date
) -> tuple[list[WorkRow], int]:
    """One page of the work, in order, and how much matches in all."""
    work = union_all(
        _tasks(tenant_id, where, with_states=True),
        _form_requests(tenant_id, where, with_states=True),
    ).subquery("work")
    is_open = work.c.state.in_([s.value for s in OPEN_TASK_STATUSES])
    overdue_first = case((and_(is_open, work.c.due_date < today), 0), else_=1)
    rows = session.execute(
        select(work, SuccessPlay.name)
        .outerjoin(SuccessPlay, SuccessPlay.id == work.c.play_id)
        .order_by(
            overdue_first,
            work.c.due_date.is_(None),
            work.c.due_date,
            work.c.created_at,
            work.c.id,
        )
        .limit(where.limit)
        .offset(where.offset)
    )
    items = [
        WorkRow(
            kind=row.kind,
            id=row.id,
            title=row.title,
            account_id=row.account_id,
            account_name=row.account_name,
            due_date=row.due_date,
            state=TaskStatus(row.state),
            play_id=row.play_id,
            created_at=row.created_at,
            priority=row.priority,
            play=row.name,
        )
        for row in rows
    ]
    total = session.scalar(select(func.count()).select_from(work)) or 0
    return items, total


def counts(
    session: Session, tenant_id: str, where: WorkFilter, today: date
) -> tuple[dict[TaskStatus, int], int]:
    """How much work each state holds, and how much open work is overdue (under every filter
    but the state one)."""
    work = union_all(
        _tasks(tenant_id, where, with_states=False),
        _form_requests(tenant_id, where, with_states=False),
    ).subquery("work")
    is_open = work.c.state.in_([s.value for s in OPEN_TASK_STATUSES])
    rows = session.execute(
        select(
            work.c.state,
            func.count(),
            func.sum(case((and_(is_open, work.c.due_date < today), 1), else_=0)),
        ).group_by(work.c.state)
    )
    by_state: dict[TaskStatus, int] = {}
    overdue = 0
    for state, count, late in rows:
        by_state[TaskStatus(state)] = count
        overdue += int(late or 0)
    return by_state, overdue
