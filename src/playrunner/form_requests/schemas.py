"""How a form request is shown to callers, with the questions it asks."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from playrunner.models import FieldType, FormRequestStatus


class FormFieldRead(BaseModel):
    attribute: str
    label: str
    type: FieldType
    options: list[str]
    required: bool


class FormRequestRead(BaseModel):
    id: uuid.UUID
    form: str
    account_id: str
    assignee: str | None
    status: FormRequestStatus
    due_date: date | None
    instructions: str
    fields: list[FormFieldRead]
    answers: dict[str, Any] | None
    run_id: uuid.UUID | None
    play_id: uuid.UUID | None
    assignee_fallback: str | None
    created_at: datetime
    submitted_at: datetime | None
