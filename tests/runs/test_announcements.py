"""Announcements of new runs: the runs' transaction writes one row, the workers expand it into
webhook events (as the items were when they were made) and emails, once; a failed expansion
is tried again; a bulk call is announced in rows of ``RUNS_PER_ROW`` runs with one email per
person for the whole call."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from sqlalchemy import select, update

from playrunner.automations import service as automations_service
from playrunner.automations.schemas import BulkTrigger
from playrunner.clock import utcnow
from playrunner.config import Settings
from playrunner.db import Database
from playrunner.models import (
    AnnouncementStatus,
    EmailNotification,
    RunAnnouncement,
    RunSource,
    WebhookEvent,
)
from playrunner.notifications import service as notifications_service
from playrunner.runs import announcements
from playrunner.tasks import service as tasks_service
from playrunner.tasks.schemas import TaskUpdate
from playrunner.webhooks import service as webhooks_service
from playrunner.webhooks.schemas import EndpointCreate
from tests.factories import Factory
from tests.faults import database_refuses
from tests.worlds import ServiceWorld, run_play

HOOK = "http://127.0.0.1:9/hooks"  # nothing is sent in these tests


def listen(database: Database, settings: Settings, world: ServiceWorld, factory: Factory) -> None:
    allowed = settings.model_copy(update={"webhooks_allow_private_networks": True})
    with database.session() as session:
        webhooks_service.create_endpoint(
            session, factory.principal(world.admin), EndpointCreate(url=HOOK, events=["*"]), allowed
        )


def rows(database: Database) -> list[RunAnnouncement]:
    with database.session(read_only=True) as session:
        query = select(RunAnnouncement).order_by(RunAnnouncement.run_count.desc())
        return list(session.scalars(query))


def events(database: Database) -> list[dict[str, Any]]:
    with database.session(read_only=True) as session:
        found = session.scalars(select(WebhookEvent).order_by(WebhookEvent.type))
        return [json.loads(event.payload) for event in found]


def expand_pending(database: Database, settings: Settings) -> dict[uuid.UUID, float]:
    pending = [r.id for r in rows(database) if r.status is AnnouncementStatus.PENDING]
    return announcements.expand_many(database, settings, pending)


def test_a_run_is_announced_as_it_was_made_and_expanded_once(
    database: Database, settings: Settings, factory: Factory
) -> None:
    world = ServiceWorld(factory)
    listen(database, settings, world, factory)
    outcome = run_play(database, world.admin, world.play.id, "acme")
    (row,) = rows(database)
    assert (row.status, row.run_count, events(database)) == ("pending", 1, [])
    assert '"Follow up with Acme"' in row.body  # what the task was when it was made

    # The task changes before the workers get to it: its task.created still shows it new.
    (task,) = outcome.tasks
    with database.session() as session:
        tasks_service.update_task(
            session, factory.principal(world.admin), task.id, TaskUpdate(title="Renamed")
        )
    assert expand_pending(database, settings) == {}
    assert announcements.expand_many(database, settings, [row.id]) == {}  # done: nothing more

    found = {event["type"]: event for event in events(database)}
    assert sorted(found) == ["run.created", "task.created", "task.updated"]
    created, updated = found["task.created"]["data"], found["task.updated"]["data"]
    assert (created["id"], created["title"], created["status"]) == (
        str(task.id),
        task.title,
        "not_started",
    )
    assert updated["title"] == "Renamed"
    run = found["run.created"]["data"]
    assert (run["id"], run["account_id"], run["task_count"]) == (str(outcome.run.id), "acme", 1)
    assert rows(database) == []  # expanded: deleted with the same commit


def test_nothing_is_written_when_nobody_is_to_hear_of_it(
    database: Database, factory: Factory
) -> None:
    world = ServiceWorld(factory)
    run_play(database, world.admin, world.play.id, "acme")
    assert rows(database) == []


def test_an_expansion_that_fails_is_tried_again_after_a_backoff(
    database: Database, settings: Settings, factory: Factory
) -> None:
    world = ServiceWorld(factory)
    listen(database, settings, world, factory)
    run_play(database, world.admin, world.play.id, "acme")
    with database_refuses(database, "webhook_events"):
        waits = expand_pending(database, settings)
    (row,) = rows(database)
    assert set(waits) == {row.id}
    assert waits[row.id] > 0
    assert (row.status, row.attempts, events(database)) == ("pending", 1, [])
    assert "disk says no" in (row.last_error or "")
    assert row.next_attempt_at > utcnow()

    assert expand_pending(database, settings) == {}  # not due yet: untouched
    assert rows(database)[0].status == "pending"
    with database.session() as session:
        session.execute(update(RunAnnouncement).values(next_attempt_at=utcnow()))
    assert expand_pending(database, settings) == {}
    assert rows(database) == []
    assert [event["type"] for event in events(database)] == ["run.created", "task.created"]


def test_a_bulk_call_is_announced_in_rows_with_one_email_per_person_for_the_call(
    database: Database, settings: Settings, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(announcements, "RUNS_PER_ROW", 2)
    database.context[notifications_service.MAIL_ON] = True
    world = ServiceWorld(factory)
    listen(database, settings, world, factory)
    ids = [f"bulk-{n}" for n in range(5)]
    for account_id in ids:
        factory.account(world.tenant, account_id, success_manager=world.csm)
    with database.session() as session:
        automations_service.run_bulk(
            session,
            factory.principal(world.admin),
            BulkTrigger(str(world.play.id), ids, None),
            RunSource.API,
            None,
        )
    assert [row.run_count for row in rows(database)] == [2, 2, 1]
    assert expand_pending(database, settings) == {}
    assert rows(database) == []
    found = events(database)
    assert sorted({event["data"]["account_id"] for event in found}) == ids
    assert len(found) == 10  # a run.created and a task.created per account
    with database.session(read_only=True) as session:
        (email,) = session.scalars(select(EmailNotification))
    assert (email.user_id, email.item_count, len(email.items)) == (world.csm.id, 5, 5)


def test_runs_of_several_callers_in_one_batch_are_each_announced_with_their_caller(
    database: Database, settings: Settings, factory: Factory
) -> None:
    world = ServiceWorld(factory)
    listen(database, settings, world, factory)
    second = factory.admin(world.tenant)
    first, then = factory.principal(world.admin), factory.principal(second)
    callers = [first, then, first]
    other = factory.account(world.tenant).account_id
    with database.session() as session:
        answers = automations_service.trigger_together(
            session, callers, str(world.play.id), ["acme", other, other], RunSource.API
        )
    assert sorted(row.run_count for row in rows(database)) == [1, 2]  # a row per caller
    assert expand_pending(database, settings) == {}

    runner_of = {
        event["data"]["id"]: event["data"]["runner"]
        for event in events(database)
        if event["type"] == "run.created"
    }
    assert runner_of == {
        answer.body["runId"]: caller.email for answer, caller in zip(answers, callers, strict=True)
    }
