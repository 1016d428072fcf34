"""Personal access tokens as the API accepts and shows them. The secret appears once, in
the answer to the call that creates the token; only its hash is stored."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from playrunner.validation import Name, StrictModel

EXPIRES_DESCRIPTION = "7d, 30d, 60d, 90d, never, or a date (YYYY-MM-DD; valid through that day)"


class TokenCreate(StrictModel):
    name: Name = Field(examples=["Salesforce integration"])
    expires: str = Field(
        default="90d", max_length=20, description=EXPIRES_DESCRIPTION, examples=["90d"]
    )


class TokenPatch(StrictModel):
    """Only the fields given change; a new ``expires`` counts from now."""

    name: Name | None = None
    expires: str | None = Field(
        default=None, max_length=20, description=EXPIRES_DESCRIPTION, examples=["30d"]
    )


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    hint: str = Field(description="The prefix and last four characters, to tell tokens apart")
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenRead):
    token: str = Field(description="The secret. Shown only now: store it somewhere safe.")
