"""Emails to assignees: which are written, to whom, and whether each is still wanted.

A batch of runs (one ``start_runs`` call: a trigger, a bulk run) writes ONE email per person
it assigned work to, in the runs' own transaction, listing what was assigned (the first
``LISTED`` items and how many in all). Nothing is read for it: the engine has the items and
their assignees in memory. Whether the person still wants it (their setting, the service's
forcing) and what it says are decided when it is sent (``notifications/sending.py``), so the
trigger path pays one INSERT, and nothing at all while email is off.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from playrunner.auth.principal import Principal
from playrunner.clock import utcnow
from playrunner.config import Settings
from playrunner.models import EmailNotification, EmailStatus
from playrunner.models.records import FormRequestRecord, TaskRecord
from playrunner.notifications import repository
from playrunner.outbox import lease, wakeup
from playrunner.tenants import service as tenants_service
from playrunner.users import service as users_service

# In every unit of work's ``session.info`` (``Database.context``): whether emails are written.
MAIL_ON = "playrunner_email_on"
# The outbox workers' task that sends emails (``outbox/kinds.py``).
OUTBOX_KIND = "send_email"
# How many items an email names; the rest are "and N more" with a link to My work.
LISTED = 20
TASK = "task"
FORM_REQUEST = "form_request"


class AssignedWork(Protocol):
    """What a run made (``runs.engine.RunOutcome``)."""

    @property
    def tasks(self) -> list[TaskRecord]: ...

    @property
    def form_requests(self) -> list[FormRequestRecord]: ...


def process_context(settings: Settings) -> dict[str, object]:
    """What every unit of work of this process needs to know about email (``Database.context``)."""
    return {MAIL_ON: settings.email_enabled}


def email_assignees(session: Session, tenant_id: str, outcomes: Sequence[AssignedWork]) -> None:
    """Write one email per person these runs assigned work to (none while email is off)."""
    if not session.info.get(MAIL_ON):
        return
    listed: dict[uuid.UUID, list[dict[str, str]]] = {}
    counts: dict[uuid.UUID, int] = {}
    for outcome in outcomes:
        for kind, items in ((TASK, outcome.tasks), (FORM_REQUEST, outcome.form_requests)):
            for item in items:
                user_id = item.assignee_user_id
                if user_id is None:
                    continue
                count = counts.get(user_id, 0)
                if count < LISTED:
                    listed.setdefault(user_id, []).append({"kind": kind, "id": str(item.id)})
                counts[user_id] = count + 1
    if not counts:
        return
    now = utcnow()
    rows: list[dict[str, Any]] = [
        {
            "id": uuid.uuid4(),
            "tenant_id": tenant_id,
            "user_id": user_id,
            "items": listed[user_id],
            "item_count": count,
            "status": EmailStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for user_id, count in counts.items()
    ]
    repository.add_emails(session, rows)
    wakeup.announce(session, OUTBOX_KIND, [row["id"] for row in rows])


def email_counts(session: Session, tenant_id: str) -> dict[str, int]:
    """How many of the service's emails are in each status."""
    return lease.status_counts(session, EmailNotification, tenant_id)


def wants_email(own_setting: bool, forced_by_service: bool) -> bool:
    """Whether a person gets these emails: their own choice, unless an admin forced them on
    for everyone (as in Totango, forcing ignores a person's opt-out)."""
    return forced_by_service or own_setting


def any_pending(session: Session) -> bool:
    """Whether any email waits to be sent (a server starts its workers for it)."""
    return repository.any_pending(session)


@dataclass(frozen=True)
class EmailPreferences:
    """What decides whether someone gets these emails, for their settings page."""

    own: bool  # their own choice
    forced: bool  # an admin forced them on for everyone

    @property
    def wanted(self) -> bool:
        return wants_email(self.own, self.forced)


def preferences(session: Session, actor: Principal) -> EmailPreferences:
    """The acting user's email preferences, and whether the service forces emails on."""
    user = users_service.get_user(session, actor.tenant_id, actor.user_id)
    tenant = tenants_service.get_tenant(session, actor.tenant_id)
    return EmailPreferences(user.email_notifications, tenant.force_email_notifications)
