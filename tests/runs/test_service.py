"""The play engine: rendering, assignment, the parent flag, fallbacks, all-or-nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from playrunner.db import Database
from playrunner.models import FormRequest, Run, Task, Tenant, User
from playrunner.plays.templates import TemplateRenderError
from playrunner.runs.repository import RunFilter
from playrunner.runs.service import page_runs
from playrunner.users import service as users_service
from tests.factories import Factory, task_play
from tests.faults import database_refuses
from tests.worlds import run_play


def counts(database: Database) -> tuple[int, int, int]:
    with database.session(read_only=True) as session:
        return (
            session.scalar(select(func.count()).select_from(Run)) or 0,
            session.scalar(select(func.count()).select_from(Task)) or 0,
            session.scalar(select(func.count()).select_from(FormRequest)) or 0,
        )


@pytest.fixture
def tenant(factory: Factory) -> Tenant:
    return factory.tenant()


@pytest.fixture
def admin(factory: Factory, tenant: Tenant) -> User:
    return factory.admin(tenant)


def test_titles_and_descriptions_are_rendered_from_the_account(
    factory: Factory, database: Database, tenant: Tenant, admin: User
) -> None:
    csm = factory.user(tenant)
    factory.account(
        tenant,
        "acme",
        name="Acme Corp",
        success_manager=csm,
        attributes={"segment": "SMB", "sentiment": "Red"},
    )
    play = factory.play(
        tenant,
        task_play(
            actions=[
                {
                    "type": "create_task",
                    "title": "{{ account.name }} ({{ account.account_id }})"
                    " is {{ account.attributes.sentiment }}",
                    "description": "{{ play.name }} by {{ runner.email }};"
                    " missing: [{{ account.attributes.nope }}]",
                }
            ]
        ),
    )

    outcome = run_play(database, admin, play.id, "acme")

    (task,) = outcome.tasks
    assert task.title == "Acme Corp (acme) is Red"
    assert task.description == f"Follow-up by {admin.email}; missing: []"


def test_the_sandbox_refuses_python_internals(
    factory: Factory, database: Database, tenant: Tenant, admin: User
) -> None:
    factory.account(tenant, "acme")
    play = factory.play(
        tenant,
        task_play(
            actions=[
                {
                    "type": "create_task",
                    "title": "{{ account.__class__.__mro__ }}",
                    "description": "x",
                }
            ]
        ),
    )
    # The sandbox renders the internals as nothing, and a task needs a title: nothing leaks
    # and nothing is written.
    with pytest.raises(TemplateRenderError, match="rendered nothing") as refused:
        run_play(database, admin, play.id, "acme")
    assert "object" not in refused.value.message
    assert counts(database) == (0, 0, 0)


def test_task_fields_come_from_the_action(
    factory: Factory, database: Database, tenant: Tenant, admin: User
) -> None:
    csm = factory.user(tenant)
    factory.flow(tenant, "renewal")
    factory.account(tenant, "acme", success_manager=csm)
    play = factory.play(
        tenant,
        task_play(
            actions=[
                {
                    "type": "create_task",
                    "title": "t",
                    "description": "d",
                    "flow": "renewal",
                    "priority": 3,
                    "due_in_days": 10,
                    "touchpoint_required": True,
                }
            ]
        ),
    )

    with time_machine.travel(datetime(2026, 3, 1, 23, 30, tzinfo=UTC), tick=False):
        outcome = run_play(database, admin, play.id, "acme")

    (task,) = outcome.tasks
    assert (task.priority, task.due_date, task.touchpoint_required) == (3, date(2026, 3, 11), True)
    assert task.flow_id is not None
    assert task.assignee_user_id == csm.id
    assert task.run_id == outcome.run.id


@pytest.mark.parametrize("rule", ["user", "runner"])
def test_named_user_and_runner_rules(
    factory: Factory, database: Database, tenant: Tenant, admin: User, rule: str
) -> None:
    named = factory.user(tenant)
    factory.account(tenant, "acme")
    assignee = {"kind": "user", "email": named.email} if rule == "user" else {"kind": "runner"}
    play = factory.play(
        tenant,
        task_play(
            actions=[
                {"type": "create_task", "title": "t", "description": "d", "assignee": assignee}
            ]
        ),
    )
    outcome = run_play(database, admin, play.id, "acme")
    expected = named.id if rule == "user" else admin.id
    assert outcome.tasks[0].assignee_user_id == expected
    assert outcome.fallbacks == []


def test_vacant_role_falls_back_to_the_runner_and_says_so(
    factory: Factory, database: Database, tenant: Tenant, admin: User
) -> None:
    factory.account(tenant, "no-csm")
    play = factory.play(tenant)

    outcome = run_play(database, admin, play.id, "no-csm")

    assert outcome.tasks[0].assignee_user_id == admin.id
    assert outcome.fallbacks == [f"No Success Manager on account no-csm; assigned to {admin.email}"]
    assert counts(database) == (1, 1, 0)


def test_deactivated_role_holder_and_named_user_fall_back(
    factory: Factory, database: Database, tenant: Tenant, admin: User
) -> None:
    csm = factory.user(tenant)
    factory.account(tenant, "acme", success_manager=csm)
    play = factory.play(
        tenant,
        task_play(
            actions=[
                {"type": "create_task", "title": "a", "description": "d"},
                {
                    "type": "create_task",
                    "title": "b",
                    "description": "d",
                    "assignee": {"kind": "user", "email": csm.email},
                },
            ]
        ),
    )
    with database.session() as session:
        users_service.set_active(session, tenant.id, csm.email, False)

    outcome = run_play(database, admin, play.id, "acme")

    assert [t.assignee_user_id for t in outcome.tasks] == [admin.id, admin.id]
    assert all(csm.email in reason for reason in outcome.fallbacks)
    assert len(outcome.fallbacks) == 2


def test_parent_flag_acts_on_the_immediate_parent(
    factory: Factory, database: Database, tenant: Tenant, admin: User
) -> None:
    top_csm, mid_csm, leaf_csm = (factory.user(tenant) for _ in range(3))
    top = factory.account(tenant, "top", name="Top", success_manager=top_csm)
    mid = factory.account(tenant, "mid", name="Mid", success_manager=mid_csm, parent=top)
    factory.account(tenant, "leaf", name="Leaf", success_manager=leaf_csm, parent=mid)
    play = factory.play(tenant, task_play(apply_to_parent=True))

    outcome = run_play(database, admin, play.id, "leaf")

    assert outcome.run.account_id == mid.id  # the immediate parent, not the ultimate one
    assert outcome.tasks[0].account_id == mid.id
    assert outcome.tasks[0].title == "Follow up with Mid"
    assert outcome.tasks[0].assignee_user_id == mid_csm.id
    with database.session(read_only=True) as session:
        (listed,), _ = page_runs(session, tenant.id, RunFilter())
    assert (listed.account_id, listed.requested_account_id) == ("mid", "leaf")


def test_parent_flag_on_a_top_level_account_acts_on_the_account(
    factory: Factory, database: Database, tenant: Tenant, admin: User
) -> None:
    top = factory.account(tenant, "top")
    play = factory.play(tenant, task_play(apply_to_parent=True))
    assert run_play(database, admin, play.id, "top").run.account_id == top.id


def test_form_actions_make_form_requests(
    factory: Factory, database: Database, tenant: Tenant, admin: User
) -> None:
    csm = factory.user(tenant)
    form = factory.form(tenant)
    factory.account(tenant, "acme", name="Acme", success_manager=csm)
    play = factory.play(
        tenant,
        task_play(
            actions=[
                {"type": "create_task", "title": "t", "description": "d"},
                {
                    "type": "request_information",
                    "form": "Sentiment",
                    "due_in_days": 2,
                    "instructions": "Sentiment for {{ account.name }}?",
                },
            ]
        ),
    )

    outcome = run_play(database, admin, play.id, "acme")

    (request,) = outcome.form_requests
    assert (request.form_id, request.assignee_user_id) == (form.id, csm.id)
    assert request.instructions == "Sentiment for Acme?"
    assert request.due_date == datetime.now(UTC).date() + timedelta(days=2)
    assert counts(database) == (1, 1, 1)


def test_a_failure_in_the_middle_of_a_run_leaves_nothing(
    factory: Factory, database: Database, tenant: Tenant, admin: User
) -> None:
    factory.form(tenant)
    factory.account(tenant, "acme")
    play = factory.play(
        tenant,
        task_play(
            actions=[
                {"type": "create_task", "title": "t", "description": "d"},
                {"type": "request_information", "form": "Sentiment"},
            ]
        ),
    )
    # The database refuses the form request, after the run and its task were written.
    with (
        database_refuses(database, "form_requests"),
        pytest.raises(DBAPIError, match="disk says no"),
    ):
        run_play(database, admin, play.id, "acme")

    assert counts(database) == (0, 0, 0)


def test_a_template_failing_on_the_data_refuses_the_run_and_writes_nothing(
    factory: Factory, database: Database, tenant: Tenant, admin: User
) -> None:
    factory.account(tenant, "acme", attributes={"seats": "many"})
    play = factory.play(
        tenant,
        task_play(
            actions=[
                {"type": "create_task", "title": "ok", "description": "d"},
                {
                    "type": "create_task",
                    "title": "{{ account.attributes.seats / 0 }}",
                    "description": "d",
                },
            ]
        ),
    )
    with pytest.raises(TemplateRenderError, match=r"actions\[1\].title: template could not"):
        run_play(database, admin, play.id, "acme")
    assert counts(database) == (0, 0, 0)


def test_a_title_that_renders_nothing_refuses_the_run_and_writes_nothing(
    factory: Factory, database: Database, tenant: Tenant, admin: User
) -> None:
    factory.account(tenant, "acme")
    play = factory.play(
        tenant,
        task_play(
            actions=[
                {
                    "type": "create_task",
                    "title": "{{ account.attributes.nope }}",
                    "description": "d",
                }
            ]
        ),
    )
    with pytest.raises(TemplateRenderError, match=r"actions\[0\].title: template rendered nothing"):
        run_play(database, admin, play.id, "acme")
    assert counts(database) == (0, 0, 0)


def test_actions_run_in_order(
    factory: Factory, database: Database, tenant: Tenant, admin: User
) -> None:
    factory.account(tenant, "acme")
    play = factory.play(
        tenant,
        task_play(
            actions=[
                {"type": "create_task", "title": f"step {n}", "description": "d"} for n in range(5)
            ]
        ),
    )
    outcome = run_play(database, admin, play.id, "acme")
    assert [t.title for t in outcome.tasks] == [f"step {n}" for n in range(5)]


def test_the_run_records_its_fallbacks_even_for_very_long_account_ids(
    factory: Factory, database: Database, tenant: Tenant, admin: User
) -> None:
    long_id = "a" * 255
    factory.account(tenant, long_id, name="Long")
    play = factory.play(tenant)

    outcome = run_play(database, admin, play.id, long_id)

    expected = f"No Success Manager on account {long_id}; assigned to {admin.email}"
    assert outcome.fallbacks == [expected]
    with database.session(read_only=True) as session:
        (listed,), _ = page_runs(session, tenant.id, RunFilter())
    assert listed.fallbacks == [expected]
