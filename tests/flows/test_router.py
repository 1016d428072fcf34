"""/api/v3/activity-types (flows) over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import task_play
from tests.worlds import ApiWorld, problem

URL = "/api/v3/activity-types"
NOT_ADMIN = "User is not authorized with role: SERVICE_ADMIN"


def flow_play(flow: str) -> dict[str, Any]:
    return task_play(
        name=f"Uses {flow}",
        actions=[{"type": "create_task", "title": "t", "description": "d", "flow": flow}],
    )


def test_create_list_rename_delete(api: ApiWorld) -> None:
    created = api.admin.post(URL, json={"id": "renewal", "name": "Renewal"})
    assert created.status_code == 201, created.text
    assert created.json() == {"id": "renewal", "name": "Renewal"}
    api.admin.post(URL, json={"id": "onboarding", "name": "Onboarding"})

    listed = api.user.get(URL)
    assert listed.status_code == 200, listed.text
    assert listed.json() == [
        {"id": "onboarding", "name": "Onboarding"},
        {"id": "renewal", "name": "Renewal"},
    ]

    renamed = api.admin.put(f"{URL}/renewal", json={"name": " Renewals "})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json() == {"id": "renewal", "name": "Renewals"}

    deleted = api.admin.delete(f"{URL}/renewal")
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert [f["id"] for f in api.user.get(URL).json()] == ["onboarding"]
    problem(api.admin.delete(f"{URL}/renewal"), 404)


def test_a_flow_used_by_a_play_cannot_be_deleted(api: ApiWorld) -> None:
    api.factory.flow(api.tenant, "renewal")
    api.factory.play(api.tenant, flow_play("renewal"))
    document = problem(api.admin.delete(f"{URL}/renewal"), 409)
    assert document["detail"] == (
        "Flow 'renewal' is used by SuccessPlay 'Uses renewal'; change or delete those plays first"
    )
    assert [f["id"] for f in api.user.get(URL).json()] == ["renewal"]
    # Renaming it is fine: plays and tasks point at the id.
    assert api.admin.put(f"{URL}/renewal", json={"name": "Renewals"}).status_code == 200


def test_users_read_but_do_not_write(api: ApiWorld) -> None:
    api.factory.flow(api.tenant, "renewal")
    assert api.user.get(URL).json() == [{"id": "renewal", "name": "Renewal"}]
    for response in (
        api.user.post(URL, json={"id": "mine", "name": "Mine"}),
        api.user.put(f"{URL}/renewal", json={"name": "Mine"}),
        api.user.delete(f"{URL}/renewal"),
    ):
        assert problem(response, 403)["detail"] == NOT_ADMIN
    assert api.user.get(URL).json() == [{"id": "renewal", "name": "Renewal"}]


def test_another_service_sees_none_of_our_flows(api: ApiWorld) -> None:
    api.factory.flow(api.tenant, "renewal")
    assert api.stranger.get(URL).json() == []
    problem(api.stranger.put(f"{URL}/renewal", json={"name": "Mine"}), 404)
    assert problem(api.stranger.delete(f"{URL}/renewal"), 404)["detail"] == (
        "Flow 'renewal' not found"
    )
    assert api.user.get(URL).json() == [{"id": "renewal", "name": "Renewal"}]
    # The same id is free in another service.
    assert api.stranger.post(URL, json={"id": "renewal", "name": "Theirs"}).status_code == 201
    assert api.user.get(URL).json() == [{"id": "renewal", "name": "Renewal"}]


def test_a_taken_id_is_a_conflict(api: ApiWorld) -> None:
    api.admin.post(URL, json={"id": "renewal", "name": "Renewal"})
    document = problem(api.admin.post(URL, json={"id": "renewal", "name": "Again"}), 409)
    assert (document["field"], document["detail"]) == ("id", "Flow 'renewal' already exists")


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"id": "Renewal Calls", "name": "R"}, "id", "lowercase letters, digits"),
        ({"id": "-renewal", "name": "R"}, "id", "lowercase letters, digits"),
        ({"id": "renewal\n", "name": "R"}, "id", "lowercase letters, digits"),
        ({"id": "x" * 101, "name": "R"}, "body.id", "at most 100 characters"),
        ({"name": "R"}, "body.id", "Field required"),
        ({"id": "renewal"}, "body.name", "Field required"),
        ({"id": "renewal", "name": ""}, "body.name", "at least 1 character"),
        ({"id": 7, "name": "R"}, "body.id", "valid string"),
        ({"id": "renewal", "name": "R", "colour": "red"}, "body.colour", "Extra inputs"),
    ],
)
def test_create_refuses_bad_input_naming_the_field(
    api: ApiWorld, body: dict[str, Any], field: str, message: str
) -> None:
    document = problem(api.admin.post(URL, json=body), 400)
    assert document["field"] == field
    assert message in document["detail"]
    assert api.admin.get(URL).json() == []


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": "   "}, "name", "must not be empty"),
        ({}, "body.name", "Field required"),
        ({"name": "x" * 201}, "body.name", "at most 200 characters"),
        ({"name": "R", "id": "other"}, "body.id", "Extra inputs"),
    ],
)
def test_rename_refuses_bad_input_naming_the_field(
    api: ApiWorld, body: dict[str, Any], field: str, message: str
) -> None:
    api.factory.flow(api.tenant, "renewal")
    document = problem(api.admin.put(f"{URL}/renewal", json=body), 400)
    assert document["field"] == field
    assert message in document["detail"]
    assert api.admin.get(URL).json() == [{"id": "renewal", "name": "Renewal"}]


def test_operations_are_described(api: ApiWorld) -> None:
    paths = api.user.get("/openapi.json").json()["paths"]
    assert {op["operationId"] for op in paths[URL].values()} == {
        "listActivityTypes",
        "createActivityType",
    }
    one = paths[URL + "/{flow_id}"]
    assert {op["operationId"] for op in one.values()} == {
        "updateActivityType",
        "deleteActivityType",
    }
    assert set(one["delete"]["responses"]) >= {"204", "401", "403", "404", "409"}
