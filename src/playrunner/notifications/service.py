"""Emails to assignees: which are written, to whom, and whether each is still wanted.

A batch of runs (one ``start_runs`` call: a trigger, a bulk run) makes ONE email per person
it assigned work to, listing what was assigned (the first ``LISTED`` items and how many in
all). Nothing is read for it: the engine has the items and their assignees in memory. The
emails travel in the runs' announcement (``runs/announcements.py``: one row written in the
runs' transaction) and the workers write them from it; whether the person still wants it
(their setting, the service's forcing) and what it says are decided when it is sent
(``notifications/sending.py``). While email is off nothing is made.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from playrunner.auth.principal import Principal
from playrunner.config import Settings
from playrunner.ids import time_ordered_id
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
    """What a run made (``runs.announcements.NewRun``)."""

    @property
    def tasks(self) -> Sequence[TaskRecord]: ...

    @property
    def form_requests(self) -> Sequence[FormRequestRecord]: ...


def process_context(settings: Settings) -> dict[str, object]:
    """What every unit of work of this process needs to know about email (``Database.context``)."""
    return {MAIL_ON: settings.email_enabled}


def emails_for(session: Session, outcomes: Sequence[AssignedWork]) -> list[dict[str, Any]]:
    """One email per person these runs assigned work to, as ``write_emails`` takes them
    (none while email is off): whom, the first ``LISTED`` items, and how many in all."""
    if not session.info.get(MAIL_ON):
        return []
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
    return [
        {"user_id": user_id, "items": listed[user_id], "item_count": count}
        for user_id, count in counts.items()
    ]


def write_emails(
    session: Session, tenant_id: str, emails: Sequence[Mapping[str, Any]], at: datetime
) -> None:
    """Write these emails (``emails_for``), due at once, for the workers to send."""
    if not emails:
        return
    rows: list[dict[str, Any]] = [
        {
            "id": time_ordered_id(),
            "tenant_id": tenant_id,
            "user_id": uuid.UUID(str(email["user_id"])),
            "items": email["items"],
            "item_count": email["item_count"],
            "status": EmailStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": at,
            "created_at": at,
        }
        for email in emails
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
