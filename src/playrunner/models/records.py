"""Rows as plain records: new rows written many at once, and what the trigger path reads.

A run writes one run row and a row per item; a bulk run writes tens of thousands. Building
ORM instances for rows that are only inserted (with one INSERT per table) cost more than
the inserts themselves, so the engine builds these records instead; ``values()`` gives the
INSERT its parameters. Columns left out of a record take the model's default.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from playrunner.enums import TaskStatus
from playrunner.models.form_request import FormRequestStatus
from playrunner.models.run import RunSource, RunStatus


class _Record:
    __slots__ = ()

    def values(self) -> dict[str, Any]:
        # A slotted dataclass's __slots__ are exactly its fields.
        names: tuple[str, ...] = type(self).__slots__
        return {name: getattr(self, name) for name in names}


@dataclass(slots=True)
class RunRecord(_Record):
    id: uuid.UUID
    tenant_id: str
    play_id: uuid.UUID
    requested_account_id: uuid.UUID
    account_id: uuid.UUID
    user_id: uuid.UUID
    token_id: uuid.UUID | None
    source: RunSource
    status: RunStatus
    skipped_for_run_id: uuid.UUID | None
    created_at: datetime
    fallbacks: list[str] = field(default_factory=list)


@dataclass(slots=True)
class TaskRecord(_Record):
    id: uuid.UUID
    tenant_id: str
    account_id: uuid.UUID
    run_id: uuid.UUID | None
    play_id: uuid.UUID | None
    flow_id: uuid.UUID | None
    title: str
    description: str
    priority: int
    due_date: date | None
    status: TaskStatus
    assignee_user_id: uuid.UUID | None
    assignee_fallback: str | None
    touchpoint_required: bool
    created_at: datetime
    updated_at: datetime

    # What a new task does not have yet, so it reads as the API shows tasks (not columns:
    # ``values()`` takes only the fields).
    @property
    def touchpoint_note(self) -> None:
        return None

    @property
    def completed_at(self) -> None:
        return None


@dataclass(slots=True)
class FormRequestRecord(_Record):
    id: uuid.UUID
    tenant_id: str
    form_id: uuid.UUID
    account_id: uuid.UUID
    run_id: uuid.UUID | None
    play_id: uuid.UUID | None
    assignee_user_id: uuid.UUID | None
    assignee_fallback: str | None
    due_date: date | None
    instructions: str
    status: FormRequestStatus
    created_at: datetime

    # What a new request does not have yet (as on ``TaskRecord``).
    @property
    def answers(self) -> None:
        return None

    @property
    def submitted_at(self) -> None:
        return None


# Read on the trigger path (cheaper than ORM objects there).


@dataclass(frozen=True, slots=True)
class AccountSnapshot:
    """An account as a run reads it (not an ORM object: cheaper on the trigger path)."""

    id: uuid.UUID
    tenant_id: str
    account_id: str
    name: str
    parent_id: uuid.UUID | None
    attributes: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RoleHolder:
    role_id: uuid.UUID
    user_id: uuid.UUID
    email: str
    active: bool
