"""Event plays with criteria: a play runs on an account as it enters its criteria (or exits
them), once per entry, whatever changed the attributes; date conditions are checked daily.
The checks are made as the workers make them (``criteria.service.check_many``)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from sqlalchemy import select

from playrunner.accounts import service as accounts_service
from playrunner.accounts.schemas import AccountPatch
from playrunner.config import Settings
from playrunner.criteria import service as criteria_service
from playrunner.db import Database
from playrunner.form_requests import service as form_requests_service
from playrunner.models import CriteriaCheck, Run, RunSource, Task
from playrunner.plays import service as plays_service
from playrunner.plays.schemas import PlaySpec
from tests.factories import Factory, task_play
from tests.worlds import FORM_PLAY, ServiceWorld, run_play

POOR = {"match": "all", "conditions": [{"attribute": "sentiment", "op": "equals", "value": "Red"}]}


def criteria_play(
    factory: Factory, world: ServiceWorld, criteria: dict[str, Any], name: str = "Rescue"
) -> uuid.UUID:
    spec = task_play(
        name=name,
        triggers=["event"],
        event_criteria=criteria,
        actions=[
            {"type": "create_task", "title": f"{name} {{{{ account.name }}}}", "description": "d"}
        ],
    )
    return factory.play(world.tenant, spec).id


def check_all(database: Database, settings: Settings) -> int:
    """Make every pending check, as the workers would; how many there were."""
    with database.session(read_only=True) as session:
        ids = list(session.scalars(select(CriteriaCheck.id)))
    assert criteria_service.check_many(database, settings, ids) == {}
    return len(ids)


def event_runs(database: Database, play_id: uuid.UUID) -> list[Run]:
    with database.session(read_only=True) as session:
        query = select(Run).where(Run.play_id == play_id).order_by(Run.created_at)
        return list(session.scalars(query))


def patch(database: Database, world: ServiceWorld, factory: Factory, **attributes: Any) -> None:
    with database.session() as session:
        accounts_service.patch_account(
            session,
            world.tenant.id,
            "acme",
            AccountPatch(attributes=attributes),
            actor_user_id=world.admin.id,
        )


def answer_sentiment(database: Database, world: ServiceWorld, factory: Factory, value: str) -> None:
    outcome = run_play(database, world.admin, world.form_play_id, "acme")  # type: ignore[attr-defined]
    (request,) = outcome.form_requests
    with database.session() as session:
        form_requests_service.submit(
            session, factory.principal(world.csm), request.id, {"sentiment": value}
        )


@pytest.fixture
def world(factory: Factory) -> ServiceWorld:
    world = ServiceWorld(factory)
    factory.form(world.tenant)
    world.form_play_id = factory.play(world.tenant, FORM_PLAY).id  # type: ignore[attr-defined]
    return world


def test_a_form_answer_that_moves_the_account_in_runs_the_play_once_per_entry(
    database: Database, settings: Settings, factory: Factory, world: ServiceWorld
) -> None:
    play_id = criteria_play(factory, world, POOR)
    answer_sentiment(database, world, factory, "Red")
    assert event_runs(database, play_id) == []  # the check waits for the workers
    assert check_all(database, settings) == 1
    (run,) = event_runs(database, play_id)
    assert run.source is RunSource.EVENT
    assert run.user_id == world.csm.id  # as the person whose answer moved the account in
    with database.session(read_only=True) as session:
        (task,) = session.scalars(select(Task).where(Task.run_id == run.id))
    assert task.title == "Rescue Acme"
    assert task.assignee_user_id == world.csm.id

    # Still inside: the same answer again, another attribute changing: no second run.
    answer_sentiment(database, world, factory, "Red")
    patch(database, world, factory, segment="Enterprise")
    check_all(database, settings)
    assert len(event_runs(database, play_id)) == 1
    assert check_all(database, settings) == 0  # each check is made once

    # Out, then in again: a new entry, a new run.
    patch(database, world, factory, sentiment="Green")
    patch(database, world, factory, sentiment="Red")
    check_all(database, settings)
    assert len(event_runs(database, play_id)) == 2


def test_an_exit_play_runs_when_the_account_leaves_its_criteria(
    database: Database, settings: Settings, factory: Factory, world: ServiceWorld
) -> None:
    patch(database, world, factory, sentiment="Red")
    play_id = criteria_play(factory, world, {**POOR, "run_on": "exit"}, name="Recovered")
    patch(database, world, factory, note="still red")
    check_all(database, settings)
    assert event_runs(database, play_id) == []  # inside since the play was saved: no exit
    patch(database, world, factory, sentiment="Green")
    check_all(database, settings)
    assert len(event_runs(database, play_id)) == 1
    patch(database, world, factory, sentiment="Yellow")
    check_all(database, settings)
    assert len(event_runs(database, play_id)) == 1  # already out


def test_accounts_inside_when_the_criteria_are_saved_have_not_entered_them(
    database: Database, settings: Settings, factory: Factory, world: ServiceWorld
) -> None:
    patch(database, world, factory, sentiment="Red")
    play_id = criteria_play(factory, world, POOR)
    patch(database, world, factory, note="unrelated")
    check_all(database, settings)
    assert event_runs(database, play_id) == []


def test_conditions_combine_with_any_and_changed_to_holds_only_on_the_change(
    database: Database, settings: Settings, factory: Factory, world: ServiceWorld
) -> None:
    criteria = {
        "match": "any",
        "conditions": [
            {"attribute": "score", "op": "less_than", "value": 3},
            {"attribute": "stage", "op": "changed_to", "value": "churn-risk"},
        ],
    }
    play_id = criteria_play(factory, world, criteria)
    patch(database, world, factory, stage="churn-risk")
    check_all(database, settings)
    assert len(event_runs(database, play_id)) == 1
    patch(database, world, factory, note="n")  # changed_to no longer holds: out
    patch(database, world, factory, score="2")  # a number from a CSV file: in again
    check_all(database, settings)
    assert len(event_runs(database, play_id)) == 2


def test_the_daily_check_runs_date_conditions_as_the_days_pass(
    database: Database, settings: Settings, factory: Factory, world: ServiceWorld
) -> None:
    criteria = {"conditions": [{"attribute": "renewal_date", "op": "within_days", "value": 30}]}
    with time_machine.travel(datetime(2026, 11, 30, 9, tzinfo=UTC), tick=False):
        patch(database, world, factory, renewal_date="2027-01-15")
        play_id = criteria_play(factory, world, criteria, name="Renewal")
        check_all(database, settings)
        assert criteria_service.queue_daily(database) == 1
        check_all(database, settings)
        assert event_runs(database, play_id) == []  # 46 days away
    with time_machine.travel(datetime(2026, 12, 20, 9, tzinfo=UTC), tick=False):
        assert criteria_service.queue_daily(database) == 1
        assert criteria_service.queue_daily(database) == 0  # once a day
        check_all(database, settings)
        assert len(event_runs(database, play_id)) == 1  # 26 days away: entered
    with time_machine.travel(datetime(2026, 12, 21, 9, tzinfo=UTC), tick=False):
        criteria_service.queue_daily(database)
        check_all(database, settings)
        assert len(event_runs(database, play_id)) == 1  # still inside


def test_criteria_are_checked_when_saved(factory: Factory, world: ServiceWorld) -> None:
    bad = [
        ({"conditions": []}, "conditions"),
        ({"conditions": [{"attribute": "a", "op": "in", "value": "x"}]}, "in takes a list"),
        ({"conditions": [{"attribute": "a", "op": "is_set", "value": 1}]}, "is_set takes no value"),
        ({"conditions": [{"attribute": "a", "op": "greater_than", "value": "x"}]}, "a number"),
        ({"conditions": [{"attribute": "a", "op": "nearly", "value": 1}]}, "op"),
    ]
    for criteria, message in bad:
        with pytest.raises(ValueError, match=message):
            PlaySpec.model_validate(task_play(triggers=["event"], event_criteria=criteria))
    with pytest.raises(ValueError, match="event_criteria needs the event trigger"):
        PlaySpec.model_validate(task_play(event_criteria=POOR))
    read = plays_service.read_play  # a play reads back with its criteria, as written
    play_id = criteria_play(factory, world, POOR)
    with factory.database.session(read_only=True) as session:
        shown = read(session, world.tenant.id, play_id)
    assert shown.event_criteria is not None
    assert shown.event_criteria.model_dump() == {**POOR, "run_on": "enter"}
