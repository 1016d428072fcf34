"""How a form request is shown to callers, with the questions it asks."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

from playrunner.forms.schemas import FormFieldRead
from playrunner.models import FormRequestStatus
from playrunner.validation import StrictModel


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


class AttributeChange(BaseModel):
    before: Any = Field(description="The attribute's value before the answer (null: unset)")
    after: Any


class FormRequestSubmitted(FormRequestRead):
    """A submitted form request, as the ``form_request.submitted`` webhook event carries it."""

    attribute_changes: dict[str, AttributeChange] = Field(
        description="Each account attribute the answers changed"
    )


class FormRequestSubmit(StrictModel):
    """The answers, keyed by account attribute; the form's fields decide what is valid."""

    answers: dict[str, Any] = Field(examples=[{"sentiment": "Red", "note": "Champion left"}])

    @field_validator("answers")
    @classmethod
    def _storable(cls, answers: dict[str, Any]) -> dict[str, Any]:
        """PostgreSQL cannot store NUL characters in JSON text; refuse them as bad input."""
        for key, value in answers.items():
            texts = [key, *(value if isinstance(value, list) else [value])]
            if any(isinstance(text, str) and "\x00" in text for text in texts):
                raise ValueError(f"{key!r}: text must not contain NUL characters")
        return answers
