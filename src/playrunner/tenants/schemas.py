"""A service (tenant) and its settings, as the API shows and takes them."""

from __future__ import annotations

from pydantic import BaseModel, Field

from playrunner.validation import Flag, StrictModel


class ServiceRead(BaseModel):
    id: str = Field(examples=["SP-1234-01"])
    name: str
    force_email_notifications: bool = Field(
        description=("Everyone gets emails about work assigned to them, whatever their own setting")
    )
    email_configured: bool = Field(
        description="Whether this server sends email at all (PLAYRUNNER_SMTP_HOST is set)"
    )


class ServicePatch(StrictModel):
    """Only the fields given change."""

    force_email_notifications: Flag | None = Field(default=None, examples=[True])
