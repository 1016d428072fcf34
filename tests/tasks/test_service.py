"""Task status changes, and the touchpoint a play can require on completion."""

from __future__ import annotations

import pytest

from playrunner.auth.principal import operator
from playrunner.db import Database
from playrunner.errors import Conflict, InvalidRequest, NotFound, PermissionDenied
from playrunner.models import TaskStatus
from playrunner.tasks import service as tasks_service
from playrunner.tasks.repository import TaskFilter
from playrunner.tasks.schemas import TaskUpdate
from tests.factories import Factory, task_play
from tests.worlds import run_play


def test_touchpoint_is_required_to_complete_when_the_play_says_so(
    factory: Factory, database: Database
) -> None:
    tenant = factory.tenant()
    admin, csm, other = factory.admin(tenant), factory.user(tenant), factory.user(tenant)
    factory.account(tenant, "acme", success_manager=csm)
    play = factory.play(
        tenant,
        task_play(
            actions=[
                {
                    "type": "create_task",
                    "title": "t",
                    "description": "d",
                    "touchpoint_required": True,
                }
            ]
        ),
    )
    task_id = run_play(database, admin, play.id, "acme").tasks[0].id

    with database.session() as session:
        started = tasks_service.set_status(
            session, factory.principal(csm), task_id, TaskStatus.STARTED
        )
        assert started.status is TaskStatus.STARTED
    with database.session() as session, pytest.raises(PermissionDenied):
        tasks_service.set_status(session, factory.principal(other), task_id, TaskStatus.COMPLETED)
    with database.session() as session, pytest.raises(InvalidRequest, match="touchpoint"):
        tasks_service.set_status(session, factory.principal(csm), task_id, TaskStatus.COMPLETED)
    with database.session() as session:
        tasks_service.set_status(
            session, factory.principal(csm), task_id, TaskStatus.COMPLETED, "Called the CFO"
        )
    with database.session(read_only=True) as session:
        (task,), _ = tasks_service.page_tasks(session, operator(tenant.id), TaskFilter())
    assert (task.status, task.touchpoint_note) == (TaskStatus.COMPLETED, "Called the CFO")
    assert task.completed_at is not None


def test_listing_filters_and_bounds(factory: Factory, database: Database) -> None:
    tenant = factory.tenant()
    admin, csm = factory.admin(tenant), factory.user(tenant)
    factory.account(tenant, "a", success_manager=csm)
    factory.account(tenant, "b")
    play = factory.play(tenant)
    run_play(database, admin, play.id, "a")
    run_play(database, admin, play.id, "b")
    with database.session(read_only=True) as session:
        mine, _ = tasks_service.page_tasks(
            session, operator(tenant.id), TaskFilter(assignee_user_id=csm.id)
        )
        assert [t.account_id for t in mine] == ["a"]
        assert tasks_service.page_tasks(session, operator(tenant.id), TaskFilter())[1] == 2
        with pytest.raises(InvalidRequest, match="limit"):
            tasks_service.page_tasks(session, operator(tenant.id), TaskFilter(limit=0))


@pytest.mark.postgresql_only  # SQLite has one writer: the other change could not start meanwhile
def test_a_status_change_racing_another_one_is_refused(
    factory: Factory, database: Database
) -> None:
    tenant = factory.tenant()
    admin, csm = factory.admin(tenant), factory.user(tenant)
    factory.account(tenant, "acme", success_manager=csm)
    task_id = run_play(database, admin, factory.play(tenant).id, "acme").tasks[0].id
    with database.session() as session:
        # Read (and still held) before the other change commits, as the API reads it.
        seen = tasks_service.get_visible_task(session, factory.principal(csm), task_id)
        with database.session() as other:
            tasks_service.set_status(other, factory.principal(admin), task_id, TaskStatus.CANCELLED)
        with pytest.raises(Conflict, match="already Cancelled"):
            tasks_service.update_task(
                session, factory.principal(csm), task_id, TaskUpdate(status="completed")
            )
        assert seen.status is TaskStatus.CANCELLED


def test_regular_users_see_only_their_own_tasks(factory: Factory, database: Database) -> None:
    tenant = factory.tenant()
    admin, csm, other = factory.admin(tenant), factory.user(tenant), factory.user(tenant)
    factory.account(tenant, "acme", success_manager=csm)
    task_id = run_play(database, admin, factory.play(tenant).id, "acme").tasks[0].id
    with database.session(read_only=True) as session:
        with pytest.raises(NotFound):
            tasks_service.read_task(session, factory.principal(other), task_id)
        assert tasks_service.read_task(session, factory.principal(csm), task_id).id == task_id
        mine, total = tasks_service.page_tasks(session, factory.principal(other), TaskFilter())
        assert (mine, total) == ([], 0)
