"""/api/v1/forms over real HTTP."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest

from tests.factories import SENTIMENT_FORM, task_play
from tests.worlds import ApiWorld, problem

URL = "/api/v1/forms"
NOT_ADMIN = "User is not authorized with role: SERVICE_ADMIN"
FORM_FIELDS = {"id", "key", "name", "fields", "created_at"}


def form(name: str = "Sentiment", **overrides: Any) -> dict[str, Any]:
    spec = copy.deepcopy(SENTIMENT_FORM)
    spec.update(name=name, **overrides)
    return spec


def with_field(**field: Any) -> dict[str, Any]:
    return form(fields=[{"attribute": "a", "label": "A", "type": "text", **field}])


def form_play(form_name: str) -> dict[str, Any]:
    return task_play(
        name=f"Asks {form_name}",
        actions=[{"type": "request_information", "form": form_name}],
    )


def create(api: ApiWorld, **overrides: Any) -> dict[str, Any]:
    response = api.admin.post(URL, json=form(**overrides))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_create_read_replace_delete(api: ApiWorld) -> None:
    created = create(api, key="sentiment-check")
    assert set(created) == FORM_FIELDS
    assert (created["key"], created["name"]) == ("sentiment-check", "Sentiment")
    assert created["fields"] == [
        {
            "attribute": f["attribute"],
            "label": f["label"],
            "type": f["type"],
            "options": f.get("options", []),
            "required": f.get("required", False),
        }
        for f in SENTIMENT_FORM["fields"]
    ]

    read = api.user.get(f"{URL}/{created['id']}")
    assert read.status_code == 200, read.text
    assert read.json() == created

    # Replace everything; a new field may reuse an old attribute with another type.
    replaced = api.admin.put(
        f"{URL}/{created['id']}",
        json={
            "name": "Health",
            "key": "health",
            "fields": [
                {"attribute": "score", "label": "Score", "type": "list", "options": ["1", "2"]},
                {"attribute": "sentiment", "label": "Mood", "type": "text", "required": True},
            ],
        },
    )
    assert replaced.status_code == 200, replaced.text
    body = replaced.json()
    assert (body["id"], body["key"], body["name"]) == (created["id"], "health", "Health")
    assert [(f["attribute"], f["type"], f["options"]) for f in body["fields"]] == [
        ("score", "list", ["1", "2"]),
        ("sentiment", "text", []),
    ]
    assert api.user.get(f"{URL}/{created['id']}").json() == body

    # PUT replaces the key too: left out, it is removed.
    unkeyed = api.admin.put(f"{URL}/{created['id']}", json=form("Health"))
    assert unkeyed.json()["key"] is None

    deleted = api.admin.delete(f"{URL}/{created['id']}")
    assert (deleted.status_code, deleted.content) == (204, b"")
    problem(api.user.get(f"{URL}/{created['id']}"), 404)


def test_list_pages_by_name(api: ApiWorld) -> None:
    for name in ("Gamma", "Alpha", "Beta"):
        create(api, name=name)
    listed = api.user.get(URL)
    assert listed.status_code == 200, listed.text
    assert [f["name"] for f in listed.json()["items"]] == ["Alpha", "Beta", "Gamma"]
    page = api.user.get(URL, params={"limit": 1, "offset": 1}).json()
    assert (page["total"], [f["name"] for f in page["items"]]) == (3, ["Beta"])
    assert problem(api.user.get(URL, params={"limit": 0}), 400)["field"] == "query.limit"


def test_names_and_keys_are_unique_in_the_service(api: ApiWorld) -> None:
    first = create(api, name="First", key="first")
    second = create(api, name="Second", key="second")

    taken_name = problem(api.admin.post(URL, json=form(" First ")), 409)
    assert (taken_name["field"], taken_name["detail"]) == ("name", "Form 'First' already exists")
    taken_key = problem(api.admin.post(URL, json=form("Third", key="first")), 409)
    assert (taken_key["field"], taken_key["detail"]) == (
        "key",
        "A form with key 'first' already exists",
    )
    second_url = f"{URL}/{second['id']}"
    assert problem(api.admin.put(second_url, json=form("First", key="second")), 409)["field"] == (
        "name"
    )
    assert problem(api.admin.put(second_url, json=form("Second", key="first")), 409)["field"] == (
        "key"
    )
    # Keeping its own name and key is no conflict.
    assert api.admin.put(second_url, json=form("Second", key="second")).status_code == 200
    assert api.admin.get(f"{URL}/{first['id']}").json() == first


def test_a_form_a_play_requests_cannot_be_deleted(api: ApiWorld) -> None:
    created = create(api)
    api.factory.play(api.tenant, form_play("Sentiment"))
    document = problem(api.admin.delete(f"{URL}/{created['id']}"), 409)
    assert document["detail"] == (
        "Form 'Sentiment' is used by SuccessPlay 'Asks Sentiment';"
        " change or delete those plays first"
    )
    assert api.user.get(f"{URL}/{created['id']}").status_code == 200


def test_users_read_but_do_not_write(api: ApiWorld) -> None:
    created = create(api)
    url = f"{URL}/{created['id']}"
    assert api.user.get(url).status_code == 200
    assert api.user.get(URL).json()["total"] == 1
    for response in (
        api.user.post(URL, json=form("Mine")),
        api.user.put(url, json=form("Mine")),
        api.user.delete(url),
    ):
        assert problem(response, 403)["detail"] == NOT_ADMIN
    assert api.user.get(url).json() == created


def test_another_service_sees_none_of_our_forms(api: ApiWorld) -> None:
    created = create(api, key="sentiment")
    url = f"{URL}/{created['id']}"
    assert problem(api.stranger.get(url), 404)["detail"] == f"Form {created['id']} not found"
    problem(api.stranger.put(url, json=form("Mine")), 404)
    problem(api.stranger.delete(url), 404)
    assert api.stranger.get(URL).json()["total"] == 0
    assert api.user.get(url).json() == created
    # The same name and key are free in another service.
    assert api.stranger.post(URL, json=form(key="sentiment")).status_code == 201


def test_an_unknown_form_is_not_found(api: ApiWorld) -> None:
    missing = f"{URL}/{uuid.uuid4()}"
    problem(api.user.get(missing), 404)
    problem(api.admin.put(missing, json=form()), 404)
    problem(api.admin.delete(missing), 404)


BAD_FORMS = [
    (with_field(type="currency"), "body.fields[0].type", "should be 'text'"),
    (with_field(type="list"), "body.fields[0]", "of type list needs options"),
    (with_field(type="multi_select", options=["a", "a"]), "body.fields[0]", "option twice"),
    (with_field(options=["a"]), "body.fields[0]", "of type text takes no options"),
    (with_field(type="list", options=[""]), "body.fields[0].options[0]", "at least 1 character"),
    (with_field(attribute="1st"), "body.fields[0].attribute", "should match pattern"),
    (with_field(attribute=None), "body.fields[0].attribute", "valid string"),
    (with_field(label=""), "body.fields[0].label", "at least 1 character"),
    # JSON's booleans only, as the document says (the fuzzer's find: 0 was taken for false).
    (with_field(required=0), "body.fields[0].required", "valid boolean"),
    (with_field(colour="red"), "body.fields[0].colour", "Extra inputs"),
    (
        form(fields=[{"attribute": "a", "label": "A", "type": "text"}] * 2),
        "body.fields",
        "two fields update the same attribute 'a'",
    ),
    (form(fields=[]), "body.fields", "at least 1 item"),
    ({"name": "No fields"}, "body.fields", "Field required"),
    (form(""), "body.name", "at least 1 character"),
    (form("   "), "name", "Form name must not be empty"),
    (form(key="has spaces"), "body.key", "should match pattern"),
    (form(key="-leading"), "body.key", "should match pattern"),
    (form(colour="red"), "body.colour", "Extra inputs"),
]


@pytest.mark.parametrize(("body", "field", "message"), BAD_FORMS)
def test_create_refuses_bad_forms_naming_the_field(
    api: ApiWorld, body: dict[str, Any], field: str, message: str
) -> None:
    document = problem(api.admin.post(URL, json=body), 400)
    assert document["field"] == field
    assert message in document["detail"]
    assert api.admin.get(URL).json()["total"] == 0


@pytest.mark.parametrize(("body", "field", "message"), BAD_FORMS)
def test_replace_refuses_bad_forms_the_same_way(
    api: ApiWorld, body: dict[str, Any], field: str, message: str
) -> None:
    created = create(api)
    document = problem(api.admin.put(f"{URL}/{created['id']}", json=body), 400)
    assert document["field"] == field
    assert message in document["detail"]
    assert api.admin.get(f"{URL}/{created['id']}").json() == created


def test_a_malformed_form_id_is_bad_input(api: ApiWorld) -> None:
    assert problem(api.user.get(f"{URL}/sentiment"), 404)["detail"] == "Form sentiment not found"
    assert problem(api.admin.delete(f"{URL}/42"), 404)["detail"] == "Form 42 not found"


def test_operations_are_described(api: ApiWorld) -> None:
    paths = api.user.get("/openapi.json").json()["paths"]
    assert {op["operationId"] for op in paths[URL].values()} == {"createForm", "listForms"}
    one = paths[URL + "/{form_id}"]
    assert {op["operationId"] for op in one.values()} == {"getForm", "replaceForm", "deleteForm"}
    assert set(one["delete"]["responses"]) >= {"204", "400", "401", "403", "404", "409"}
