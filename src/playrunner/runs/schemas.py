"""How a run is shown to callers: in lists, and on its own with what it created."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from playrunner.form_requests.schemas import FormRequestRead
from playrunner.models import RunSource, RunStatus
from playrunner.tasks.schemas import TaskRead


class RunRead(BaseModel):
    id: uuid.UUID
    play_id: uuid.UUID
    play: str = Field(description="The play's name")
    account_id: str = Field(description="The account the play acted on")
    requested_account_id: str = Field(
        description="The account named in the call (its child, when the play applies to the "
        "immediate parent)"
    )
    runner: str = Field(description="Email of the user who ran the play")
    source: RunSource
    token_id: uuid.UUID | None = Field(description="The access token of the call, if any")
    created_at: datetime
    status: RunStatus = Field(description="completed, or skipped by the play's duplicate policy")
    skipped_for_run_id: uuid.UUID | None = Field(
        description="For a skipped run: the earlier run whose items were still open"
    )
    fallbacks: list[str] = Field(
        description="Why items went to the runner instead of their rule's assignee"
    )
    task_count: int
    form_request_count: int


class RunDetail(RunRead):
    """A run with the tasks and form requests it created, each as it is now."""

    tasks: list[TaskRead]
    form_requests: list[FormRequestRead]
