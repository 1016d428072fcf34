"""/api/v1/tokens over real HTTP: the caller's own personal access tokens."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import time_machine

from tests.worlds import ApiWorld, problem

TOKEN_FIELDS = {"id", "name", "hint", "created_at", "expires_at", "revoked_at"}
NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


def as_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def with_token(api: ApiWorld, secret: str, scheme: str = "app-token") -> httpx.Client:
    if scheme == "app-token":
        return api.connect(secret)
    client = api.connect("")
    del client.headers["app-token"]
    client.headers["Authorization"] = f"Bearer {secret}"
    return client


def only_token(http: httpx.Client) -> dict[str, Any]:
    (token,) = http.get("/api/v1/tokens").json()
    result: dict[str, Any] = token
    return result


def test_create_shows_the_secret_once_and_it_works(api: ApiWorld) -> None:
    created = api.user.post("/api/v1/tokens", json={"name": "CRM sync"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert set(body) == TOKEN_FIELDS | {"token"}
    secret = body["token"]
    assert re.fullmatch(r"prpat_[0-9A-Za-z]{38}", secret)
    assert body["hint"] == f"prpat_…{secret[-4:]}"
    assert (body["name"], body["revoked_at"]) == ("CRM sync", None)

    for scheme in ("app-token", "bearer"):
        with with_token(api, secret, scheme) as http:
            me = http.get("/api/v1/users/me")
            assert (me.status_code, me.json()["email"]) == (200, api.user_user.email)

    listed = api.user.get("/api/v1/tokens")
    assert listed.status_code == 200, listed.text
    assert [t["name"] for t in listed.json()] == ["test", "CRM sync"]
    assert all(set(t) == TOKEN_FIELDS for t in listed.json())
    assert secret not in listed.text


def test_expiry_choices(api: ApiWorld) -> None:
    with time_machine.travel(NOW, tick=False):
        expiries = {
            choice: as_time(
                api.user.post("/api/v1/tokens", json={"name": choice, "expires": choice}).json()[
                    "expires_at"
                ]
            )
            for choice in ("7d", "30d", "60d", "90d", "never", "2027-03-31")
        }
        default = api.user.post("/api/v1/tokens", json={"name": "default"}).json()
    assert expiries == {
        "7d": NOW + timedelta(days=7),
        "30d": NOW + timedelta(days=30),
        "60d": NOW + timedelta(days=60),
        "90d": NOW + timedelta(days=90),
        "never": None,
        "2027-03-31": datetime(2027, 4, 1, tzinfo=UTC),
    }
    assert as_time(default["expires_at"]) == NOW + timedelta(days=90)


def test_rename_and_new_expiry_counted_from_now(api: ApiWorld) -> None:
    with time_machine.travel(NOW, tick=False):
        created = api.user.post("/api/v1/tokens", json={"name": "old", "expires": "7d"}).json()
    later = NOW + timedelta(days=5)
    url = f"/api/v1/tokens/{created['id']}"
    with time_machine.travel(later, tick=False):
        renamed = api.user.patch(url, json={"name": "  new name  "})
        assert renamed.status_code == 200, renamed.text
        assert renamed.json()["name"] == "new name"
        assert as_time(renamed.json()["expires_at"]) == NOW + timedelta(days=7)

        extended = api.user.patch(url, json={"expires": "30d"}).json()
        assert as_time(extended["expires_at"]) == later + timedelta(days=30)
        assert set(extended) == TOKEN_FIELDS
        forever = api.user.patch(url, json={"expires": "never", "name": "kept"}).json()
        assert (forever["name"], forever["expires_at"]) == ("kept", None)

    # The secret made on day 0 still works after its first 7 days: the expiry moved.
    with (
        time_machine.travel(NOW + timedelta(days=8), tick=False),
        with_token(api, created["token"]) as http,
    ):
        assert http.get("/api/v1/users/me").status_code == 200


def test_a_shortened_expiry_applies_to_the_next_call(api: ApiWorld) -> None:
    created = api.user.post("/api/v1/tokens", json={"name": "short", "expires": "never"}).json()
    api.user.patch(f"/api/v1/tokens/{created['id']}", json={"expires": "7d"})
    with (
        time_machine.travel(datetime.now(UTC) + timedelta(days=8), tick=False),
        with_token(api, created["token"]) as http,
    ):
        assert problem(http.get("/api/v1/users/me"), 401)["detail"] == "Token has expired"


def test_revoke_stops_the_token_at_once(api: ApiWorld) -> None:
    created = api.user.post("/api/v1/tokens", json={"name": "leaked"}).json()
    url = f"/api/v1/tokens/{created['id']}"
    with with_token(api, created["token"]) as http:
        assert http.get("/api/v1/users/me").status_code == 200
        revoked = api.user.delete(url)
        assert (revoked.status_code, revoked.content) == (204, b"")
        assert problem(http.get("/api/v1/users/me"), 401)["detail"] == "Token has been revoked"

    listed = {t["id"]: t for t in api.user.get("/api/v1/tokens").json()}
    first_revocation = listed[created["id"]]["revoked_at"]
    assert first_revocation is not None
    # Revoking again changes nothing; changing a revoked token is refused.
    assert api.user.delete(url).status_code == 204
    assert api.user.get("/api/v1/tokens").json()[1]["revoked_at"] == first_revocation
    document = problem(api.user.patch(url, json={"expires": "never"}), 409)
    assert "revoked" in document["detail"]


def test_a_caller_may_revoke_the_token_it_calls_with(api: ApiWorld) -> None:
    created = api.user.post("/api/v1/tokens", json={"name": "self"}).json()
    with with_token(api, created["token"]) as http:
        assert http.delete(f"/api/v1/tokens/{created['id']}").status_code == 204
        problem(http.get("/api/v1/tokens"), 401)
    assert api.user.get("/api/v1/tokens").status_code == 200


def test_nobody_sees_or_touches_someone_elses_tokens(api: ApiWorld) -> None:
    admins = only_token(api.admin)
    url = f"/api/v1/tokens/{admins['id']}"
    # An admin of the same service is no exception: tokens belong to their user.
    for http in (api.user, api.stranger):
        problem(http.patch(url, json={"name": "mine now"}), 404)
        assert problem(http.delete(url), 404)["detail"] == f"Token {admins['id']} not found"
        assert admins["id"] not in [t["id"] for t in http.get("/api/v1/tokens").json()]
    users = only_token(api.user)
    problem(api.admin.delete(f"/api/v1/tokens/{users['id']}"), 404)
    assert only_token(api.admin) == admins
    assert api.user.get("/api/v1/users/me").status_code == 200


def test_every_route_needs_a_valid_token(api: ApiWorld) -> None:
    some_id = only_token(api.user)["id"]
    with with_token(api, "prpat_nonsense") as http:
        for response in (
            http.get("/api/v1/tokens"),
            http.post("/api/v1/tokens", json={"name": "x"}),
            http.patch(f"/api/v1/tokens/{some_id}", json={"name": "x"}),
            http.delete(f"/api/v1/tokens/{some_id}"),
        ):
            assert problem(response, 401)["detail"] == "Invalid token"
    assert [t["name"] for t in api.user.get("/api/v1/tokens").json()] == ["test"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "body.name", "Field required"),
        ({"name": ""}, "body.name", "at least 1 character"),
        ({"name": "   "}, "name", "must not be empty"),
        ({"name": "x" * 201}, "body.name", "at most 200 characters"),
        ({"name": "x", "expires": "tomorrow"}, "expires", "not one of 7d, 30d, 60d, 90d, never"),
        ({"name": "x", "expires": "14d"}, "expires", "not one of"),
        ({"name": "x", "expires": "2020-01-01"}, "expires", "in the past"),
        ({"name": "x", "expires": "9999-12-31"}, "expires", "too far in the future"),
        ({"name": "x", "expires": 30}, "body.expires", "valid string"),
        ({"name": "x", "scopes": ["all"]}, "body.scopes", "Extra inputs"),
    ],
)
def test_create_refuses_bad_input_naming_the_field(
    api: ApiWorld, body: dict[str, Any], field: str, message: str
) -> None:
    document = problem(api.user.post("/api/v1/tokens", json=body), 400)
    assert document["field"] == field
    assert message in document["detail"]
    assert len(api.user.get("/api/v1/tokens").json()) == 1


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": " "}, "name", "must not be empty"),
        ({"expires": "soon"}, "expires", "not one of"),
        ({"expires": None, "secret": "x"}, "body.secret", "Extra inputs"),
    ],
)
def test_patch_refuses_bad_input_naming_the_field(
    api: ApiWorld, body: dict[str, Any], field: str, message: str
) -> None:
    token = only_token(api.user)
    document = problem(api.user.patch(f"/api/v1/tokens/{token['id']}", json=body), 400)
    assert document["field"] == field
    assert message in document["detail"]
    assert only_token(api.user) == token


def test_a_malformed_token_id_is_not_found(api: ApiWorld) -> None:
    assert problem(api.user.delete("/api/v1/tokens/123"), 404)["detail"] == "Token 123 not found"
    patched = api.user.patch("/api/v1/tokens/abc", json={"name": "x"})
    assert problem(patched, 404)["field"] == "token_id"


def test_operations_are_described(api: ApiWorld) -> None:
    paths = api.user.get("/openapi.json").json()["paths"]
    operations = {
        method: operation
        for path, item in paths.items()
        if path.startswith("/api/v1/tokens")
        for method, operation in item.items()
    }
    assert {op["operationId"] for op in operations.values()} == {
        "listTokens",
        "createToken",
        "updateToken",
        "revokeToken",
    }
    assert set(operations["delete"]["responses"]) >= {"204", "400", "401", "404"}
    listed = paths["/api/v1/tokens"]["get"]["responses"]["200"]["content"]
    assert "secret_hash" not in str(listed)
