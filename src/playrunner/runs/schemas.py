"""How a run is shown to callers."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel

from playrunner.models import RunSource


class RunRead(BaseModel):
    id: uuid.UUID
    play_id: uuid.UUID
    play: str
    account_id: str
    requested_account_id: str
    runner: str
    source: RunSource
    token_id: uuid.UUID | None
    created_at: datetime
    task_count: int
    form_request_count: int
