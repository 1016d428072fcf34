"""Announcing new runs: the webhook events (``run.created``, ``task.created``,
``form_request.created``) and the emails to assignees for what a batch of runs made.

The runs' transaction writes one ``RunAnnouncement`` row (per ``RUNS_PER_ROW`` runs) holding
what the events and emails need, as it is at that moment: the engine's records, the account
ids, the assignees' addresses, the emails' contents. It commits with the runs or not at all,
so an announcement exists exactly when the runs do. The outbox workers expand it (after a
burst of requests: they yield to requests in flight) into events with their deliveries and
into email rows, in one transaction that also deletes it; a worker killed midway leaves it
pending for the sweep, so its events are written once.

Why not write the events and emails in the runs' transaction directly: that was one event
and one delivery per item plus one email per person, their indexes, and the API's models for
each payload, on the hottest path Playrunner has; the trigger call answered a third fewer
requests with notifications on. One row written through the driver costs a few percent
(``docs/performance.md``).
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import BaseModel, TypeAdapter
from sqlalchemy.orm import Session

from playrunner.clock import utcnow
from playrunner.config import Settings
from playrunner.db import Database
from playrunner.form_requests import service as form_requests_service
from playrunner.ids import time_ordered_id
from playrunner.models import AnnouncementStatus, RunAnnouncement
from playrunner.models.records import FormRequestRecord, RunRecord, TaskRecord
from playrunner.notifications import service as notifications_service
from playrunner.outbox import batches, wakeup
from playrunner.outbox.workers import Kind
from playrunner.plays.plan import PlayPlan
from playrunner.runs import repository
from playrunner.runs.repository import RunRow, TakenAnnouncement
from playrunner.runs.service import run_read
from playrunner.tasks import service as tasks_service
from playrunner.webhooks import service as webhooks_service
from playrunner.webhooks.schemas import EventType

logger = logging.getLogger("playrunner.outbox")

# The outbox workers' task that expands announcements (``outbox/kinds.py``).
OUTBOX_KIND = "announce_runs"
RUN_EVENTS = ("run.created", "task.created", "form_request.created")
# Runs per announcement: a bulk call's announcements are expanded in transactions of this
# size, not all at once.
RUNS_PER_ROW = 500


@dataclass(frozen=True)
class NewRun:
    """A run just written, with what it made: the records the engine built."""

    run: RunRecord
    tasks: Sequence[TaskRecord]
    form_requests: Sequence[FormRequestRecord]
    assignees: Mapping[uuid.UUID, str | None]  # each item's assignee's email, by item id


_RUNS = TypeAdapter(list[RunRecord])
_TASKS = TypeAdapter(list[TaskRecord])
_FORM_REQUESTS = TypeAdapter(list[FormRequestRecord])
_NAMES_BY_PK = TypeAdapter(dict[uuid.UUID, str])
_ASSIGNEES = TypeAdapter(dict[uuid.UUID, str | None])


def announce(
    session: Session,
    tenant_id: str,
    play: PlayPlan,
    runner_email: str,
    account_ids: Mapping[uuid.UUID, str],
    runs: Sequence[NewRun],
) -> None:
    """In the runs' unit of work: write their announcement, if anyone is to hear of them (an
    endpoint listens for run events, or email is on and they assigned work to someone).
    ``account_ids``: account ids by primary key."""
    emails = notifications_service.emails_for(session, runs)
    events = webhooks_service.listening(session, tenant_id, RUN_EVENTS)
    if not runs or not (emails or events):
        return
    at = runs[0].run.created_at
    flows = {a.flow_id: a.flow_key for a in play.actions if a.flow_id and a.flow_key}
    rows: list[dict[str, Any]] = []
    for start in range(0, len(runs), RUNS_PER_ROW):
        chunk = runs[start : start + RUNS_PER_ROW]
        body: dict[str, Any] = {"events": events, "emails": emails if start == 0 else []}
        if events:
            body.update(
                play=play.name,
                runner=runner_email,
                flows=flows,
                accounts={
                    pk: account_ids[pk]
                    for new in chunk
                    for pk in (new.run.account_id, new.run.requested_account_id)
                },
                runs=[_row(new.run) for new in chunk],
                tasks=[_row(task) for new in chunk for task in new.tasks],
                form_requests=[_row(r) for new in chunk for r in new.form_requests],
                assignees={item: email for new in chunk for item, email in new.assignees.items()},
            )
        rows.append(
            {
                "id": time_ordered_id(),
                "tenant_id": tenant_id,
                "body": orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS).decode(),
                "run_count": len(chunk),
                "status": AnnouncementStatus.PENDING,
                "attempts": 0,
                "next_attempt_at": at,
                "created_at": at,
            }
        )
    repository.insert_announcements(session, rows)
    wakeup.announce(session, OUTBOX_KIND, [row["id"] for row in rows])


def waiting_runs(session: Session, tenant_id: str) -> int:
    """How many of the service's runs wait for their announcement to be expanded."""
    return repository.waiting_announced_runs(session, tenant_id)


def _row(record: RunRecord | TaskRecord | FormRequestRecord) -> list[Any]:
    """A record as its values in field order: the names would be a third of the bytes the
    trigger call writes for its announcement (and a durable commit pays per page)."""
    return [getattr(record, name) for name in type(record).__slots__]


def _records(kind: type[Any], rows: list[list[Any]]) -> list[dict[str, Any]]:
    names: tuple[str, ...] = kind.__slots__
    return [dict(zip(names, row, strict=True)) for row in rows]


# In the workers


def expand_many(
    database: Database, settings: Settings, ids: list[uuid.UUID]
) -> dict[uuid.UUID, float]:
    """Expand those of these announcements that are due and free (``outbox.batches``).
    Returns the seconds until the next try of those that failed."""
    return batches.all_or_each(
        database,
        settings,
        ids,
        _expand_due,
        table=RunAnnouncement,
        failed=AnnouncementStatus.FAILED,
        what="announce runs",
    )


def _expand_due(session: Session, ids: list[uuid.UUID]) -> None:
    for taken in repository.take_announcements(session, ids, utcnow()):
        _expand(session, taken)


def _expand(session: Session, taken: TakenAnnouncement) -> None:
    body = orjson.loads(taken.body)
    notifications_service.write_emails(session, taken.tenant_id, body["emails"], taken.created_at)
    if body["events"]:
        batches = _events(session, taken.tenant_id, body)
        webhooks_service.publish_all(session, taken.tenant_id, batches, taken.created_at)


def _events(
    session: Session, tenant_id: str, body: dict[str, Any]
) -> list[tuple[EventType, Sequence[BaseModel]]]:
    """The runs' events, each resource as the API showed it when the runs were made."""
    accounts = _NAMES_BY_PK.validate_python(body["accounts"])
    runs = _RUNS.validate_python(_records(RunRecord, body["runs"]))
    tasks = _TASKS.validate_python(_records(TaskRecord, body["tasks"]))
    requests = _FORM_REQUESTS.validate_python(_records(FormRequestRecord, body["form_requests"]))
    assignees = _ASSIGNEES.validate_python(body["assignees"])
    flows = _NAMES_BY_PK.validate_python(body["flows"])
    task_counts = Counter(task.run_id for task in tasks)
    request_counts = Counter(request.run_id for request in requests)
    summaries = [
        run_read(
            RunRow(
                run,
                body["play"],
                accounts[run.account_id],
                accounts[run.requested_account_id],
                body["runner"],
                task_counts[run.id],
                request_counts[run.id],
            )
        )
        for run in runs
    ]
    batches: list[tuple[EventType, Sequence[BaseModel]]] = [("run.created", summaries)]
    if tasks and webhooks_service.listening(session, tenant_id, ["task.created"]):
        batches.append(("task.created", tasks_service.read_new(tasks, accounts, assignees, flows)))
    if requests and webhooks_service.listening(session, tenant_id, ["form_request.created"]):
        found = form_requests_service.read_new(session, requests, accounts, assignees)
        batches.append(("form_request.created", found))
    return batches


KIND = Kind(
    name=OUTBOX_KIND,
    table=RunAnnouncement,
    sender=lambda settings, database: functools.partial(expand_many, database, settings),
    waiting=lambda session, _settings: repository.any_pending_announcement(session),
)
