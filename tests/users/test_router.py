"""/api/v1/users over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from tests.worlds import ApiWorld, problem

NOT_ADMIN = "User is not authorized with role: SERVICE_ADMIN"
USER_FIELDS = {"id", "email", "name", "role", "active", "email_notifications", "created_at"}


def test_admin_creates_a_user_and_lists_the_service(api: ApiWorld) -> None:
    created = api.admin.post(
        "/api/v1/users", json={"email": " Jane@Example.com ", "name": "Jane", "role": "USER"}
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert set(body) == USER_FIELDS
    assert (body["email"], body["name"], body["role"], body["active"]) == (
        "jane@example.com",
        "Jane",
        "USER",
        True,
    )

    listed = api.admin.get("/api/v1/users").json()
    emails = [u["email"] for u in listed["items"]]
    assert emails == sorted([api.admin_user.email, api.user_user.email, "jane@example.com"])
    assert listed["total"] == 3
    assert all(set(u) == USER_FIELDS for u in listed["items"])

    page = api.admin.get("/api/v1/users", params={"limit": 1, "offset": 1}).json()
    assert (page["total"], [u["email"] for u in page["items"]]) == (3, emails[1:2])


def test_role_defaults_to_user_and_an_admin_can_be_created(api: ApiWorld) -> None:
    plain = api.admin.post("/api/v1/users", json={"email": "a@example.com", "name": "A"})
    assert plain.json()["role"] == "USER"
    boss = api.admin.post(
        "/api/v1/users", json={"email": "b@example.com", "name": "B", "role": "SERVICE_ADMIN"}
    )
    assert boss.json()["role"] == "SERVICE_ADMIN"


def test_me_is_the_caller(api: ApiWorld) -> None:
    me = api.user.get("/api/v1/users/me")
    assert me.status_code == 200, me.text
    assert me.json()["email"] == api.user_user.email
    assert me.json()["role"] == "USER"
    assert set(me.json()) == USER_FIELDS
    assert api.admin.get("/api/v1/users/me").json()["email"] == api.admin_user.email
    assert api.stranger.get("/api/v1/users/me").json()["email"] not in (
        api.admin_user.email,
        api.user_user.email,
    )


def test_me_needs_a_token(api: ApiWorld) -> None:
    response = api.user.get("/api/v1/users/me", headers={"app-token": ""})
    assert "Missing token" in problem(response, 401)["detail"]


def test_patch_renames_and_changes_role_which_applies_at_once(api: ApiWorld) -> None:
    url = f"/api/v1/users/{api.user_user.email}"
    renamed = api.admin.patch(url, json={"name": "  Renamed  "})
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["name"], renamed.json()["role"]) == ("Renamed", "USER")

    assert problem(api.user.get("/api/v1/users"), 403)["detail"] == NOT_ADMIN
    promoted = api.admin.patch(url, json={"role": "SERVICE_ADMIN"})
    assert promoted.json()["role"] == "SERVICE_ADMIN"
    assert api.user.get("/api/v1/users").status_code == 200

    api.admin.patch(url, json={"role": "USER"})
    assert problem(api.user.get("/api/v1/users"), 403)["detail"] == NOT_ADMIN


def test_deactivation_stops_the_users_tokens_at_once(api: ApiWorld) -> None:
    assert api.user.get("/api/v1/users/me").status_code == 200
    url = f"/api/v1/users/{api.user_user.email.upper()}"

    deactivated = api.admin.patch(url, json={"active": False})
    assert deactivated.status_code == 200, deactivated.text
    assert deactivated.json()["active"] is False
    assert problem(api.user.get("/api/v1/users/me"), 401)["detail"] == "User is deactivated"

    api.admin.patch(url, json={"active": True})
    assert api.user.get("/api/v1/users/me").status_code == 200
    # Only JSON's booleans: 0 is not false.
    assert problem(api.admin.patch(url, json={"active": 0}), 400)["field"] == "body.active"
    assert api.user.get("/api/v1/users/me").status_code == 200


def test_the_last_active_admin_cannot_deactivate_or_demote_themself(api: ApiWorld) -> None:
    me = f"/api/v1/users/{api.admin_user.email}"
    for change in ({"active": False}, {"role": "USER"}, {"role": "USER", "active": False}):
        document = problem(api.admin.patch(me, json=change), 409)
        assert "last active SERVICE_ADMIN" in document["detail"]
        assert document["field"] in ("active", "role")
    # Nothing changed: still an active admin.
    assert api.admin.get("/api/v1/users/me").json()["role"] == "SERVICE_ADMIN"
    # Renaming oneself is fine.
    assert api.admin.patch(me, json={"name": "Boss"}).json()["name"] == "Boss"

    # A deactivated admin does not count.
    api.admin.post(
        "/api/v1/users",
        json={"email": "second@example.com", "name": "Second", "role": "SERVICE_ADMIN"},
    )
    api.admin.patch("/api/v1/users/second@example.com", json={"active": False})
    problem(api.admin.patch(me, json={"role": "USER"}), 409)

    # With another active admin, stepping down works, and applies to the next call.
    api.admin.patch("/api/v1/users/second@example.com", json={"active": True})
    demoted = api.admin.patch(me, json={"role": "USER"})
    assert demoted.status_code == 200, demoted.text
    assert problem(api.admin.get("/api/v1/users"), 403)["detail"] == NOT_ADMIN


def test_users_cannot_manage_users(api: ApiWorld) -> None:
    for response in (
        api.user.get("/api/v1/users"),
        api.user.post("/api/v1/users", json={"email": "x@example.com", "name": "X"}),
        api.user.patch(f"/api/v1/users/{api.user_user.email}", json={"role": "SERVICE_ADMIN"}),
        api.user.patch(f"/api/v1/users/{api.admin_user.email}", json={"active": False}),
    ):
        assert problem(response, 403)["detail"] == NOT_ADMIN
    assert api.admin.get("/api/v1/users/me").json()["active"] is True


def test_another_service_sees_none_of_our_users(api: ApiWorld) -> None:
    url = f"/api/v1/users/{api.user_user.email}"
    problem(api.stranger.patch(url, json={"active": False}), 404)
    assert api.user.get("/api/v1/users/me").status_code == 200
    listed = api.stranger.get("/api/v1/users").json()
    assert listed["total"] == 1
    assert api.user_user.email not in [u["email"] for u in listed["items"]]
    # The same email is free in another service.
    same = api.stranger.post("/api/v1/users", json={"email": api.user_user.email, "name": "Twin"})
    assert same.status_code == 201, same.text
    assert api.user.get("/api/v1/users/me").json()["name"] != "Twin"


def test_a_taken_email_is_a_conflict(api: ApiWorld) -> None:
    document = problem(
        api.admin.post("/api/v1/users", json={"email": api.user_user.email, "name": "Again"}),
        409,
    )
    assert document["field"] == "email"


def test_an_unknown_user_is_not_found(api: ApiWorld) -> None:
    document = problem(api.admin.patch("/api/v1/users/ghost@example.com", json={"name": "G"}), 404)
    assert document["detail"] == "User ghost@example.com not found"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"email": "not-an-email", "name": "N"}, "email", "is not an email address"),
        ({"email": "n@example.com", "name": "   "}, "name", "must not be empty"),
        ({"email": "n@example.com", "name": ""}, "body.name", "at least 1 character"),
        ({"email": "n@example.com"}, "body.name", "Field required"),
        ({"email": "n@example.com", "name": "N", "role": "GOD"}, "body.role", "SERVICE_ADMIN"),
        ({"email": "n@example.com", "name": "N", "token": "x"}, "body.token", "Extra inputs"),
    ],
)
def test_create_refuses_bad_input_naming_the_field(
    api: ApiWorld, body: dict[str, Any], field: str, message: str
) -> None:
    document = problem(api.admin.post("/api/v1/users", json=body), 400)
    assert document["field"] == field
    assert message in document["detail"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": "  "}, "name", "must not be empty"),
        ({"role": "OWNER"}, "body.role", "SERVICE_ADMIN"),
        ({"active": "perhaps"}, "body.active", "valid boolean"),
        ({"email": "new@example.com"}, "body.email", "Extra inputs"),
    ],
)
def test_patch_refuses_bad_input_naming_the_field(
    api: ApiWorld, body: dict[str, Any], field: str, message: str
) -> None:
    document = problem(api.admin.patch(f"/api/v1/users/{api.user_user.email}", json=body), 400)
    assert document["field"] == field
    assert message in document["detail"]
    assert api.user.get("/api/v1/users/me").json()["name"] == api.user_user.name


def test_paging_is_bounded(api: ApiWorld) -> None:
    assert problem(api.admin.get("/api/v1/users", params={"limit": 1001}), 400)["field"] == (
        "query.limit"
    )
    assert problem(api.admin.get("/api/v1/users", params={"offset": -1}), 400)["field"] == (
        "query.offset"
    )


def test_operations_are_described(api: ApiWorld) -> None:
    paths = api.user.get("/openapi.json").json()["paths"]
    operations = {
        (path, method): operation
        for path, item in paths.items()
        if path.startswith("/api/v1/users")
        for method, operation in item.items()
    }
    assert {op["operationId"] for op in operations.values()} == {
        "listUsers",
        "createUser",
        "getCurrentUser",
        "updateCurrentUser",
        "updateUser",
    }
    assert set(operations["/api/v1/users/{email}", "patch"]["responses"]) >= {
        "200",
        "400",
        "401",
        "403",
        "404",
        "409",
    }
    schema = operations["/api/v1/users", "post"]["responses"]["201"]["content"]
    assert "secret_hash" not in str(schema)
