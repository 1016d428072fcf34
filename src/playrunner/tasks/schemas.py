"""How a task is shown to callers (CLI ``--json`` and the API)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel

from playrunner.models import TaskStatus


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
