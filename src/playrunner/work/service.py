"""My work: everything assigned to someone, tasks and form requests together, with how much
of it is in each state. The web app's home; the same rules as the APIs (a person sees the
work assigned to them)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy.orm import Session

from playrunner.auth.principal import Principal
from playrunner.clock import today
from playrunner.errors import InvalidRequest
from playrunner.models import TaskStatus
from playrunner.pagination import check_page_size
from playrunner.work import repository
from playrunner.work.repository import WorkFilter, WorkRow

# The views of the list, in the order they are shown, and the states each holds.
VIEWS: dict[str, tuple[TaskStatus, ...]] = {
    "open": (TaskStatus.NOT_STARTED, TaskStatus.STARTED),
    "overdue": (),
    "not_started": (TaskStatus.NOT_STARTED,),
    "started": (TaskStatus.STARTED,),
    "completed": (TaskStatus.COMPLETED,),
    "cancelled": (TaskStatus.CANCELLED,),
    "all": (),
}
VIEW_LABELS = {
    "open": "Open",
    "overdue": "Overdue",
    "not_started": "Not Started",
    "started": "Started",
    "completed": "Completed",
    "cancelled": "Cancelled",
    "all": "All",
}
DUE_WINDOWS = {
    "": "Any time",
    "today": "Due today",
    "week": "Due in the next 7 days",
    "month": "Due in the next 30 days",
    "none": "No due date",
}


@dataclass(frozen=True)
class WorkQuery:
    view: str = "open"
    account: str | None = None
    play_id: uuid.UUID | None = None
    due: str = ""
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class WorkPage:
    items: list[WorkRow]
    total: int
    counts: dict[str, int]


def my_work(session: Session, actor: Principal, query: WorkQuery) -> WorkPage:
    """A page of the work assigned to ``actor`` in ``query.view``, and the count of each view."""
    if query.view not in VIEWS:
        raise InvalidRequest(
            f"status {query.view!r} is not one of {', '.join(VIEWS)}", field="status"
        )
    if query.due not in DUE_WINDOWS:
        raise InvalidRequest(
            f"due {query.due!r} is not one of {', '.join(DUE_WINDOWS)}", field="due"
        )
    check_page_size(query.limit)
    day = today()
    account = (query.account or "").strip()
    where = _window(
        WorkFilter(
            assignee_user_id=actor.user_id,
            account_keys=(
                repository.accounts_matching(session, actor.tenant_id, account) if account else None
            ),
            play_id=query.play_id,
            limit=query.limit,
            offset=query.offset,
        ),
        query.due,
        day,
    )
    by_state, overdue = repository.counts(session, actor.tenant_id, where, day)
    counts = {
        view: (overdue if view == "overdue" else sum(by_state.get(s, 0) for s in states))
        for view, states in VIEWS.items()
    }
    counts["all"] = sum(by_state.values())
    listed = replace(
        where,
        states=VIEWS[query.view],
        overdue_on=day if query.view == "overdue" else None,
    )
    ids = repository.page_ids(session, actor.tenant_id, listed, day)
    # The view's total is its count: every other filter applies to both alike.
    return WorkPage(repository.rows_of(session, actor.tenant_id, ids), counts[query.view], counts)


def _window(where: WorkFilter, due: str, day: date) -> WorkFilter:
    if due == "today":
        return replace(where, due_from=day, due_before=day + timedelta(days=1))
    if due == "week":
        return replace(where, due_from=day, due_before=day + timedelta(days=7))
    if due == "month":
        return replace(where, due_from=day, due_before=day + timedelta(days=30))
    if due == "none":
        return replace(where, no_due_date=True)
    return where


def items(session: Session, tenant_id: str, refs: Sequence[tuple[str, uuid.UUID]]) -> list[WorkRow]:
    """These tasks and form requests (``("task" | "form_request", id)``) with their account,
    play and due date, in the order given; ones that no longer exist are left out."""
    return repository.rows_of(session, tenant_id, refs)
