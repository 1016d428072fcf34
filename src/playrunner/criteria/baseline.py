"""Where a play's criteria start from: when they are saved, every account already inside
them is recorded as inside, so only accounts that enter them afterwards run the play (and
an account already inside that changes something else does not)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from playrunner.clock import utcnow
from playrunner.criteria import repository
from playrunner.criteria.evaluation import meets
from playrunner.criteria.schemas import EventCriteria


def start_from_now(
    session: Session, tenant_id: str, play_id: uuid.UUID, criteria: Mapping[str, Any] | None
) -> None:
    """Record which accounts are inside the play's criteria as saved now (none without)."""
    now = utcnow()
    inside: list[uuid.UUID] = []
    if criteria is not None:
        parsed = EventCriteria.model_validate(criteria)
        today = now.date()
        inside = [
            pk
            for pk, attributes in repository.accounts_with_attributes(session, tenant_id)
            if meets(parsed, attributes, None, today)
        ]
    repository.reset_states(session, tenant_id, play_id, inside, now)
