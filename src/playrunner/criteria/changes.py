"""Recording that accounts' attributes changed, in the change's own unit of work: a check
per account for the outbox workers (``criteria/service.py`` makes them). Apart from the
service so that the features that change attributes (accounts, forms) can call it without
importing what running plays needs."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from playrunner.clock import utcnow
from playrunner.criteria import repository
from playrunner.criteria.evaluation import changes_between
from playrunner.ids import time_ordered_id
from playrunner.models import CriteriaCheckStatus
from playrunner.outbox import wakeup

# The outbox workers' task that makes checks (``outbox/kinds.py``).
OUTBOX_KIND = "check_criteria"
_CHUNK = 1000


def record(
    session: Session,
    tenant_id: str,
    changed: Sequence[tuple[uuid.UUID, Mapping[str, Any], Mapping[str, Any]]],
    actor_user_id: uuid.UUID | None,
) -> None:
    """In the unit of work that changed these accounts' attributes (account key, before,
    after): write a check of each account whose attributes differ, if the service has an
    event play with criteria."""
    checks = [
        (pk, diff, dict(after))
        for pk, before, after in changed
        if (diff := changes_between(before, after))
    ]
    if not checks or not repository.any_criteria_play(session, tenant_id):
        return
    add_checks(session, tenant_id, checks, actor_user_id)


def add_checks(
    session: Session,
    tenant_id: str,
    checks: Sequence[tuple[uuid.UUID, dict[str, Any] | None, dict[str, Any] | None]],
    actor_user_id: uuid.UUID | None,
) -> None:
    """One check per (account key, changes, attributes after them); both None for the
    daily check."""
    now = utcnow()
    rows: list[dict[str, Any]] = [
        {
            "id": time_ordered_id(),
            "tenant_id": tenant_id,
            "account_id": pk,
            "changes": changes,
            "attributes": attributes,
            "actor_user_id": actor_user_id,
            "status": CriteriaCheckStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for pk, changes, attributes in checks
    ]
    for start in range(0, len(rows), _CHUNK):
        repository.add_checks(session, rows[start : start + _CHUNK])
    wakeup.announce(session, OUTBOX_KIND, [row["id"] for row in rows])
