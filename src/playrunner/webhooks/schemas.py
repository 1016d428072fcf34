"""Webhook endpoints, events and deliveries as the API accepts and shows them. An endpoint's
signing secret appears once, in the answer that creates it (or rotates it)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, Field, field_validator

from playrunner.models.webhook import DeliveryStatus
from playrunner.validation import Flag, StrictModel

EventType = Literal[
    "run.created",
    "task.created",
    "task.updated",
    "form_request.created",
    "form_request.submitted",
    "play.updated",
]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)
EVENTS_DESCRIPTION = 'Event types to send, or ["*"] for all: ' + ", ".join(EVENT_TYPES)


def _known_events(value: list[str]) -> list[str]:
    if not value:
        raise ValueError('name at least one event type, or "*"')
    unknown = [name for name in value if name != "*" and name not in EVENT_TYPES]
    if unknown:
        raise ValueError(f"unknown event type {unknown[0]!r}; known: {', '.join(EVENT_TYPES)}")
    return ["*"] if "*" in value else sorted(set(value))


class EndpointCreate(StrictModel):
    url: str = Field(max_length=2000, examples=["https://hooks.example.com/playrunner"])
    events: list[str] = Field(description=EVENTS_DESCRIPTION, examples=[["task.created"]])
    description: str = Field(default="", max_length=500)
    enabled: Flag = True

    _events = field_validator("events")(_known_events)


class EndpointPatch(StrictModel):
    """Only the fields given change. Enabling an endpoint clears why it was disabled."""

    url: str | None = Field(default=None, max_length=2000)
    events: list[str] | None = Field(
        default=None, description=EVENTS_DESCRIPTION, examples=[["task.created", "task.updated"]]
    )
    description: str | None = Field(default=None, max_length=500, examples=["CRM sync"])
    enabled: Flag | None = Field(default=None, examples=[True])

    @field_validator("events")
    @classmethod
    def _events(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _known_events(value)


class EndpointRead(BaseModel):
    id: uuid.UUID
    url: str
    description: str
    events: list[str]
    enabled: bool
    disabled_reason: str | None = Field(description="Why Playrunner disabled it, if it did")
    failing_since: datetime | None = Field(
        description="Since when every delivery has failed (null while it answers)"
    )
    created_at: datetime


class EndpointCreated(EndpointRead):
    secret: str = Field(
        description="The signing secret (Standard Webhooks, whsec_...). Shown only now."
    )


class AttemptRead(BaseModel):
    attempted_at: datetime
    status_code: int | None
    latency_ms: int
    error: str | None


class DeliveryRead(BaseModel):
    id: uuid.UUID
    endpoint_id: uuid.UUID
    event_id: uuid.UUID = Field(description="Also the webhook-id header: receivers drop repeats")
    event_type: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None = Field(description="When it is tried next, if pending")
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None
    attempt_log: list[AttemptRead] = Field(description="Every try, oldest first")


class EventBody(BaseModel):
    """The JSON body of every delivery."""

    id: uuid.UUID = Field(description="The event id (the webhook-id header)")
    type: EventType
    timestamp: datetime
    data: dict[str, Any] = Field(description="The resource as the management API shows it")
