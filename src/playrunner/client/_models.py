"""What the API answers, as typed, read-only models.

Unknown fields are ignored and statuses are plain strings, so a newer server does not break
an older client.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

T = TypeVar("T")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class _CamelModel(_Model):
    """Answers of the trigger path, whose JSON is camelCase as Totango's body is."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class RateLimitState(_Model):
    """The token's rate limit as of one answer (``RateLimit-*`` headers)."""

    limit: int
    remaining: int
    reset_after: float = Field(description="Seconds until the window resets")


class TriggerResult(_Model):
    """The answer to ``run_manual_successplay``. Totango says only ``Success``: there,
    ``run_id`` is None and the lists are empty."""

    status: str = "Success"
    run_id: uuid.UUID | None = None
    skipped: bool = Field(
        default=False, description="The play's duplicate policy skipped it; run_id is the open run"
    )
    replayed: bool = Field(
        default=False, description="An Idempotency-Key replay of an earlier call's answer"
    )
    task_ids: tuple[uuid.UUID, ...] = ()
    form_request_ids: tuple[uuid.UUID, ...] = ()
    location: str | None = Field(default=None, description="Where the run's status is")
    request_id: str | None = None
    rate_limit: RateLimitState | None = None


class DryRunAccount(_CamelModel):
    account_id: str
    name: str
    requested_account_id: str = Field(description="Differs when the play acts on the parent")


class DryRunTask(_CamelModel):
    title: str
    description: str
    assignee: str
    due_date: date
    priority: int
    flow: str | None = None
    touchpoint_required: bool = False
    fallback: str | None = None


class DryRunFormRequest(_CamelModel):
    form: str
    assignee: str
    due_date: date
    instructions: str = ""
    fallback: str | None = None


class DryRun(_CamelModel):
    """What a trigger would create, with every check run and nothing written."""

    status: str
    successplay_id: uuid.UUID
    account: DryRunAccount
    tasks: tuple[DryRunTask, ...]
    form_requests: tuple[DryRunFormRequest, ...]
    would_skip: bool = False
    open_run_id: uuid.UUID | None = None


class BulkRunItem(_CamelModel):
    account_id: str
    status: str = Field(description="success, skipped or not_found")
    run_id: uuid.UUID | None = None
    message: str | None = None


class BulkRun(_CamelModel):
    """One result per account, in the order given."""

    successplay_id: uuid.UUID
    succeeded: int
    skipped: int
    failed: int
    results: tuple[BulkRunItem, ...]
    replayed: bool = False


class Page(_Model, Generic[T]):
    """One page of a listing; ask again with ``offset=page.offset + len(page.items)``."""

    items: tuple[T, ...]
    total: int
    limit: int
    offset: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.items) < self.total


class Account(_Model):
    account_id: str
    name: str
    parent_account_id: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    roles: dict[str, str] = Field(default_factory=dict, description="Role name -> user email")
    created_at: datetime
    updated_at: datetime


class AccountUpsertItem(_Model):
    index: int
    account_id: str | None
    status: str = Field(description="created, updated or error")
    error: str | None = None


class AccountUpsertResult(_Model):
    created: int
    updated: int
    failed: int
    results: tuple[AccountUpsertItem, ...]


class Play(_Model):
    """A SuccessPlay; ``actions`` as the API shows them (``type`` is ``create_task`` or
    ``request_information``)."""

    id: uuid.UUID
    key: str | None = None
    name: str
    description: str
    objective: str | None = None
    triggers: tuple[str, ...]
    active: bool
    apply_to_parent: bool = False
    duplicate_policy: str = "allow"
    event_criteria: dict[str, Any] | None = None
    actions: tuple[dict[str, Any], ...]
    created_at: datetime
    updated_at: datetime


class Task(_Model):
    id: uuid.UUID
    title: str
    description: str
    account_id: str
    assignee: str | None
    flow: str | None
    priority: int
    status: str = Field(description="not_started, started, completed or cancelled")
    due_date: date | None
    run_id: uuid.UUID | None
    play_id: uuid.UUID | None
    touchpoint_required: bool = False
    touchpoint_note: str | None = None
    assignee_fallback: str | None = None
    created_at: datetime
    completed_at: datetime | None = None


class FormField(_Model):
    attribute: str
    label: str
    type: str
    options: tuple[str, ...] = ()
    required: bool = False


class FormRequest(_Model):
    id: uuid.UUID
    form: str
    account_id: str
    assignee: str | None
    status: str = Field(description="open, submitted or cancelled")
    due_date: date | None
    instructions: str = ""
    fields: tuple[FormField, ...] = ()
    answers: dict[str, Any] | None = None
    run_id: uuid.UUID | None = None
    play_id: uuid.UUID | None = None
    assignee_fallback: str | None = None
    created_at: datetime
    submitted_at: datetime | None = None


class Run(_Model):
    id: uuid.UUID
    play_id: uuid.UUID
    play: str = Field(description="The play's name")
    account_id: str = Field(description="The account the play acted on")
    requested_account_id: str
    runner: str = Field(description="Email of who ran it")
    source: str
    token_id: uuid.UUID | None = None
    created_at: datetime
    status: str = Field(description="completed, or skipped by the play's duplicate policy")
    skipped_for_run_id: uuid.UUID | None = None
    fallbacks: tuple[str, ...] = ()
    task_count: int
    form_request_count: int


class RunDetail(Run):
    """A run with each task and form request it created, as they are now."""

    tasks: tuple[Task, ...] = ()
    form_requests: tuple[FormRequest, ...] = Field(
        default=(), validation_alias=AliasChoices("form_requests", "formRequests")
    )
