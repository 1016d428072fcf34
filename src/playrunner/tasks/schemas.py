"""Tasks as Totango's Tasks API accepts them, and as callers (CLI ``--json``, API) see them."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, field_validator

from playrunner.models import CLOSED_TASK_STATUSES, OPEN_TASK_STATUSES, TaskStatus
from playrunner.validation import NoNul, StrictModel

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Totango's legacy values first, then its status categories.
StatusInput = Literal["open", "closed", "not_started", "started", "completed", "cancelled"]


def statuses_for(value: StatusInput) -> tuple[TaskStatus, ...]:
    """The statuses a filter value stands for: ``open`` and ``closed`` each cover two."""
    if value == "open":
        return OPEN_TASK_STATUSES
    if value == "closed":
        return CLOSED_TASK_STATUSES
    return (TaskStatus(value),)


def _iso_date(value: Any) -> Any:
    """Only ``YYYY-MM-DD``: Pydantic alone would also take numbers as Unix timestamps."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("must be a date as YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a calendar date") from None


DueDate = Annotated[date, BeforeValidator(_iso_date), Field(examples=["2026-03-31"])]
Priority = Annotated[
    int, Field(strict=True, ge=1, le=3, description="1 high, 2 normal, 3 low", examples=[2])
]
Title = Annotated[str, Field(min_length=1, max_length=2000, examples=["Call the new CFO"]), NoNul]
Description = Annotated[
    str, Field(max_length=20000, examples=["Introduce the renewal plan"]), NoNul
]
AccountId = Annotated[str, Field(min_length=1, max_length=255, examples=["acme-corp"]), NoNul]
Assignee = Annotated[
    str,
    Field(
        min_length=1,
        max_length=320,
        description="The assignee's email, or their user id (a UUID)",
        examples=["jane@example.com"],
    ),
    NoNul,
]
ActivityTypeId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        description="A flow's id, as listed by GET /api/v3/activity-types",
        examples=["renewal"],
    ),
    NoNul,
]
Status = Annotated[
    StatusInput,
    Field(
        description="not_started, started, completed or cancelled; Totango's legacy `open` "
        "(not started, or unchanged while open) and `closed` (completed) are accepted too",
        examples=["open"],
    ),
]


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip()


class TaskCreate(StrictModel):
    """``POST /api/v3/tasks``: Totango's fields. Without an assignee, the task is the
    caller's."""

    title: Title
    description: Description = ""
    account_id: AccountId
    due_date: DueDate | None = None
    priority: Priority = 2
    status: Status = "open"
    assignee: Assignee | None = None
    activity_type_id: ActivityTypeId | None = None

    _strip_title = field_validator("title")(_not_blank)


# Fields an update may set to null; the others must have a value when given.
NULLABLE_ON_UPDATE = frozenset({"due_date", "assignee", "activity_type_id", "touchpoint_note"})
# What a task's assignee may change; everything else is for admins.
ASSIGNEE_FIELDS = frozenset({"status", "touchpoint_note"})


class TaskUpdate(StrictModel):
    """``PUT /api/v3/tasks/{task_id}``: only the fields given change. ``null`` clears
    ``due_date``, ``assignee``, ``activity_type_id`` and ``touchpoint_note``."""

    title: Title | None = None
    description: Description | None = None
    account_id: AccountId | None = None
    due_date: DueDate | None = None
    priority: Priority | None = None
    status: Status | None = None
    assignee: Assignee | None = None
    activity_type_id: ActivityTypeId | None = None
    touchpoint_note: Annotated[str, Field(max_length=20000), NoNul] | None = Field(
        default=None,
        description="A note of the interaction; required to complete some plays' tasks",
        examples=["Called the CFO; renewal on track"],
    )

    @field_validator("title", "description", "account_id", "priority", "status", mode="before")
    @classmethod
    def _given_means_a_value(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("must not be null")
        return value

    _strip_title = field_validator("title")(_not_blank)


class TaskRead(BaseModel):
    id: uuid.UUID
    title: str
    description: str
    account_id: str
    assignee: str | None
    flow: str | None
    priority: int
    status: TaskStatus
    due_date: date | None
    run_id: uuid.UUID | None
    play_id: uuid.UUID | None
    touchpoint_required: bool
    touchpoint_note: str | None
    assignee_fallback: str | None
    created_at: datetime
    completed_at: datetime | None


class TaskDeleted(BaseModel):
    """Sent instead of the text ``Success`` to clients that ask for JSON."""

    status: str = Field(examples=["Success"])
    id: uuid.UUID
