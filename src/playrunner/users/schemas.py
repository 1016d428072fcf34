"""Users as the API accepts and shows them; token hashes never appear here."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from playrunner.models import UserRole
from playrunner.validation import EmailAddress, Flag, Name, StrictModel


class UserCreate(StrictModel):
    email: EmailAddress
    name: Name = Field(examples=["Jane Doe"])
    role: UserRole = Field(default=UserRole.USER, description="SERVICE_ADMIN or USER")


class UserPatch(StrictModel):
    """Only the fields given change. ``active: false`` stops every token of the user at once."""

    name: Name | None = Field(default=None, examples=["Jane Park"])
    role: UserRole | None = Field(default=None, examples=["SERVICE_ADMIN"])
    active: Flag | None = Field(default=None, examples=[False])


class PreferencesPatch(StrictModel):
    """Your own settings; only the fields given change."""

    email_notifications: Flag | None = Field(
        default=None,
        description=(
            "Emails about tasks and form requests assigned to you (an admin may force them on"
            " for everyone: GET /api/v1/service)"
        ),
        examples=[False],
    )


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    name: str
    role: UserRole
    active: bool
    email_notifications: bool = Field(
        description="Whether they chose to get emails about work assigned to them"
    )
    created_at: datetime
