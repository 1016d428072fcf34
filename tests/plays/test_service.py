"""Saving a play: Totango's action rule, references and templates are checked up front."""

from __future__ import annotations

from typing import Any

import pytest

from playrunner.db import Database
from playrunner.errors import InvalidRequest, NotFound
from playrunner.plays import service as plays_service
from playrunner.plays.schemas import PlaySpec, UserAssignee, as_spec
from playrunner.validation import parse_model
from tests.factories import Factory, task_play


def save(factory: Factory, database: Database, spec: dict[str, Any]) -> None:
    tenant = factory.tenant()
    factory.flow(tenant, "renewal")
    with database.session() as session:
        plays_service.create_play(session, tenant.id, parse_model(PlaySpec, spec, what="play"))


def test_a_manual_play_refuses_other_action_types(factory: Factory, database: Database) -> None:
    spec = task_play(
        actions=[
            {"type": "create_task", "title": "t", "description": "d"},
            {"type": "webhook", "url": "https://example.com"},
        ]
    )
    with pytest.raises(InvalidRequest) as caught:
        save(factory, database, spec)
    assert caught.value.message == (
        "Invalid play: actions: a manual SuccessPlay can only create a task or request"
        " information; action 2 has type 'webhook'"
    )


def test_an_event_play_names_the_supported_types(factory: Factory, database: Database) -> None:
    spec = task_play(triggers=["event"], actions=[{"type": "update_attribute"}])
    with pytest.raises(InvalidRequest, match="supported types are create_task, request_info"):
        save(factory, database, spec)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": ""}, "name", "at least 1 character"),
        ({"description": None}, "description", "valid string"),
        ({"triggers": []}, "triggers", "at least 1 item"),
        ({"triggers": ["manual", "manual"]}, "triggers", "a trigger is listed twice"),
        ({"triggers": ["sometimes"]}, "triggers[0]", "'manual' or 'event'"),
        ({"actions": []}, "actions", "at least 1 item"),
        ({"color": "red"}, "color", "Extra inputs are not permitted"),
    ],
)
def test_play_fields_are_validated_by_name(
    factory: Factory, database: Database, change: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        save(factory, database, task_play(**change))
    assert caught.value.field == field
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ({"priority": 4}, "actions[0].priority: Input should be 1, 2 or 3"),
        ({"due_in_days": -1}, "actions[0].due_in_days"),
        ({"flow": "nope"}, "actions[0].flow: flow 'nope' does not exist"),
        (
            {"assignee": {"kind": "account_role", "role": "Janitor"}},
            "actions[0].assignee: account role 'Janitor' does not exist",
        ),
        (
            {"assignee": {"kind": "user", "email": "ghost@example.com"}},
            "actions[0].assignee: user 'ghost@example.com' does not exist",
        ),
        ({"title": "{{ account.name "}, "actions[0].title: template error on line 1"),
        (
            {"description": "{{ secrets }}"},
            "actions[0].description: unknown template variable secrets",
        ),
        (
            {"title": "{% for i in range(3) %}x{% endfor %}"},
            "actions[0].title: unknown template variable range",
        ),
        ({"description": "{{ lipsum() }}"}, "actions[0].description: unknown template variable"),
    ],
)
def test_task_actions_are_checked_when_saved(
    factory: Factory, database: Database, action: dict[str, Any], message: str
) -> None:
    spec = task_play(actions=[{"type": "create_task", "title": "t", "description": "d", **action}])
    with pytest.raises(InvalidRequest, match=message.replace("[", r"\[").replace("]", r"\]")):
        save(factory, database, spec)


def test_form_actions_need_an_existing_form(factory: Factory, database: Database) -> None:
    spec = task_play(actions=[{"type": "request_information", "form": "Missing"}])
    with pytest.raises(InvalidRequest, match="form 'Missing' does not exist"):
        save(factory, database, spec)


def test_a_valid_play_is_saved_with_ordered_actions(factory: Factory, database: Database) -> None:
    tenant = factory.tenant()
    factory.form(tenant)
    play = factory.play(
        tenant,
        task_play(
            actions=[
                {"type": "request_information", "form": "Sentiment"},
                {"type": "create_task", "title": "t", "description": "d"},
            ]
        ),
    )
    with database.session(read_only=True) as session:
        stored = plays_service.get_play(session, tenant.id, play.id)
    assert [a.type.value for a in stored.actions] == ["request_information", "create_task"]
    assert (stored.manual_trigger, stored.event_trigger, stored.active) == (True, False, True)


def test_plays_are_scoped_to_their_service(factory: Factory, database: Database) -> None:
    tenant, other = factory.tenant(), factory.tenant()
    play = factory.play(tenant)
    with database.session(read_only=True) as session:
        assert plays_service.page_plays(session, other.id, limit=10, offset=0) == ([], 0)
        with pytest.raises(NotFound, match="not found"):
            plays_service.get_play(session, other.id, play.id)


def test_a_saved_play_reads_back_as_its_spec(factory: Factory, database: Database) -> None:
    tenant = factory.tenant()
    csm = factory.user(tenant)
    factory.flow(tenant, "renewal")
    factory.form(tenant)
    spec = parse_model(
        PlaySpec,
        task_play(
            objective="o",
            triggers=["event", "manual"],
            active=False,
            apply_to_parent=True,
            actions=[
                {
                    "type": "create_task",
                    "title": "{{ account.name }}",
                    "description": "d",
                    "flow": "renewal",
                    "priority": 3,
                    "due_in_days": 7,
                    "assignee": {"kind": "user", "email": csm.email.upper()},
                    "touchpoint_required": True,
                },
                {
                    "type": "request_information",
                    "form": "Sentiment",
                    "assignee": {"kind": "runner"},
                },
                {"type": "create_task", "title": "t", "description": "d"},
            ],
        ),
        what="play",
    )
    with database.session() as session:
        play = plays_service.create_play(session, tenant.id, spec, key="everything")
    with database.session(read_only=True) as session:
        (read,), _ = plays_service.page_plays(session, tenant.id, limit=10, offset=0)

    assert (read.id, read.key) == (play.id, "everything")
    assert as_spec(read) == spec
    assert read.triggers == ["manual", "event"]
    assert read.actions[0].assignee == UserAssignee(email=csm.email)


def test_saving_a_play_as_it_is_changes_nothing(factory: Factory, database: Database) -> None:
    tenant = factory.tenant()
    play = factory.play(tenant)
    with database.session() as session:
        stored = plays_service.get_play(session, tenant.id, play.id)
        action_ids = [action.id for action in stored.actions]
        (read,) = plays_service.read_plays(session, [stored])
        same = plays_service.replace_play(session, tenant.id, play.id, as_spec(read), key=None)
        assert same.updated_at == play.updated_at
        assert [action.id for action in same.actions] == action_ids
        changed = as_spec(read).model_copy(update={"apply_to_parent": True})
        plays_service.replace_play(session, tenant.id, str(play.id), changed, key=None)
    with database.session(read_only=True) as session:
        after = plays_service.read_play(session, tenant.id, play.id)
    assert after.apply_to_parent is True
    assert after.updated_at > play.updated_at
