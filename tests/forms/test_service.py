"""Form definitions, the type rules answers must follow, and what replacing or deleting a
form does to the plays and requests that use it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from playrunner.automations.service import run_manual_successplay
from playrunner.clock import utcnow
from playrunner.db import Database
from playrunner.errors import Conflict, InvalidRequest
from playrunner.forms import service as forms_service
from playrunner.forms.schemas import FormSpec
from playrunner.forms.service import validate_answers
from playrunner.models import (
    FieldType,
    Form,
    FormField,
    PlayAction,
    RunSource,
    SuccessPlay,
    User,
)
from playrunner.validation import parse_model
from tests.factories import SENTIMENT_FORM, Factory, task_play


def sentiment_form() -> Form:
    spec = FormSpec.model_validate(SENTIMENT_FORM)
    return Form(
        name=spec.name,
        fields=[
            FormField(
                attribute=f.attribute,
                label=f.label,
                type=f.type,
                options=f.options,
                required=f.required,
                position=i,
            )
            for i, f in enumerate(spec.fields)
        ],
    )


def test_good_answers_are_normalised() -> None:
    clean = validate_answers(
        sentiment_form(),
        {
            "sentiment": "Red",
            "note": "x" * 512,
            "score": 4.5,
            "renewal": "2027-01-31",
            "channels": ["email", "chat"],
            "reference": False,
        },
    )
    assert clean == {
        "sentiment": "Red",
        "note": "x" * 512,
        "score": 4.5,
        "renewal": "2027-01-31",
        "channels": ["email", "chat"],
        "reference": False,
    }


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"sentiment": "Purple"}, "sentiment", "must be one of Green, Yellow, Red"),
        ({"note": "hi"}, "sentiment", "is required"),
        ({"sentiment": "Red", "note": "x" * 513}, "note", "at most 512 characters"),
        ({"sentiment": "Red", "note": 5}, "note", "must be text"),
        ({"sentiment": "Red", "score": "5"}, "score", "must be a number"),
        ({"sentiment": "Red", "score": True}, "score", "must be a number"),
        ({"sentiment": "Red", "renewal": "31/01/2027"}, "renewal", "ISO 8601 date"),
        ({"sentiment": "Red", "channels": "email"}, "channels", "must be a list of options"),
        ({"sentiment": "Red", "channels": ["fax"]}, "channels", "fax not among the options"),
        ({"sentiment": "Red", "channels": ["email", "email"]}, "channels", "lists an option"),
        ({"sentiment": "Red", "reference": "yes"}, "reference", "must be true or false"),
        ({"sentiment": "Red", "colour": "blue"}, "colour", "has no field 'colour'"),
    ],
)
def test_bad_answers_are_refused_naming_the_field(
    answers: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        validate_answers(sentiment_form(), answers)
    assert any(e["field"] == field and message in e["message"] for e in caught.value.errors)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(InvalidRequest) as caught:
        validate_answers(sentiment_form(), {"score": "high", "reference": 1})
    assert [e["field"] for e in caught.value.errors] == ["sentiment", "score", "reference"]


def test_answers_must_be_an_object() -> None:
    with pytest.raises(InvalidRequest, match="object keyed by attribute"):
        validate_answers(sentiment_form(), ["Red"])


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ({"attribute": "s", "label": "S", "type": "list"}, "needs options"),
        ({"attribute": "s", "label": "S", "type": "text", "options": ["a"]}, "takes no options"),
        ({"attribute": "s", "label": "S", "type": "list", "options": ["a", "a"]}, "twice"),
        ({"attribute": "1bad", "label": "S", "type": "text"}, "should match pattern"),
        ({"attribute": "s", "label": "S", "type": "currency"}, "should be 'text'"),
    ],
)
def test_form_definitions_are_validated(field: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        parse_model(FormSpec, {"name": "F", "fields": [field]}, what="form")


def test_two_fields_may_not_update_one_attribute() -> None:
    field = {"attribute": "s", "label": "S", "type": "text"}
    with pytest.raises(InvalidRequest, match="same attribute"):
        parse_model(FormSpec, {"name": "F", "fields": [field, field]}, what="form")


def test_field_types_cover_totangos_attribute_types() -> None:
    assert {t.value for t in FieldType} == {
        "text",
        "number",
        "date",
        "list",
        "multi_select",
        "boolean",
    }


def form_play(form_name: str) -> dict[str, Any]:
    return task_play(actions=[{"type": "request_information", "form": form_name}])


def soft_delete(database: Database, play_id: uuid.UUID) -> None:
    """What deleting a play does: it stays, for its runs' history."""
    with database.session() as session:
        play = session.get(SuccessPlay, play_id)
        assert play is not None
        play.deleted_at = utcnow()


def run(factory: Factory, database: Database, runner: User, play_id: uuid.UUID) -> None:
    with database.session() as session:
        run_manual_successplay(
            session, factory.principal(runner), str(play_id), "acme", RunSource.API
        )


def test_a_form_with_requests_stays_after_its_play_is_deleted(
    factory: Factory, database: Database
) -> None:
    tenant = factory.tenant()
    admin = factory.admin(tenant)
    factory.account(tenant, "acme", success_manager=admin)
    form = factory.form(tenant)
    play = factory.play(tenant, form_play("Sentiment"))
    run(factory, database, admin, play.id)
    soft_delete(database, play.id)

    with database.session() as session, pytest.raises(Conflict) as caught:
        forms_service.delete_form(session, tenant.id, form.id)
    assert caught.value.message == (
        "Form 'Sentiment' has 1 form request made from it and cannot be deleted"
    )


def test_a_form_only_deleted_plays_used_can_be_deleted(
    factory: Factory, database: Database
) -> None:
    tenant = factory.tenant()
    form = factory.form(tenant)
    play = factory.play(tenant, form_play("Sentiment"))
    soft_delete(database, play.id)

    with database.session() as session:
        forms_service.delete_form(session, tenant.id, form.id)

    with database.session(read_only=True) as session:
        assert session.scalars(select(Form)).all() == []
        assert session.scalars(select(FormField)).all() == []
        assert session.scalars(select(PlayAction.form_id)).one() is None


def test_replacing_fields_keeps_the_form_and_its_plays(
    factory: Factory, database: Database
) -> None:
    tenant = factory.tenant()
    form = factory.form(tenant)
    play = factory.play(tenant, form_play("Sentiment"))
    spec = FormSpec.model_validate(
        {"name": "Sentiment", "fields": [{"attribute": "sentiment", "label": "S", "type": "text"}]}
    )
    with database.session() as session:
        replaced = forms_service.update_form(session, tenant.id, form.id, spec, key="sentiment")
        assert (replaced.id, replaced.key) == (form.id, "sentiment")
    with database.session(read_only=True) as session:
        stored = forms_service.get_form(session, tenant.id, form.id)
        assert [(f.attribute, f.type.value, f.position) for f in stored.fields] == [
            ("sentiment", "text", 0)
        ]
        assert forms_service.validate_answers(stored, {"sentiment": "free text"}) == {
            "sentiment": "free text"
        }
        action = session.scalars(select(PlayAction).where(PlayAction.play_id == play.id)).one()
        assert action.form_id == form.id
