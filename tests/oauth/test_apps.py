"""``/api/v1/oauth/apps``: admins register, list, change, rotate and delete applications."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from authlib.integrations.base_client import OAuthError  # type: ignore[import-untyped]
from sqlalchemy import select

from playrunner.db import Database
from playrunner.models import OAuthApp
from tests.oauth.helpers import OAuthWorld, RegisteredApp
from tests.worlds import ApiWorld, problem

APPS = "/api/v1/oauth/apps"


def machine(**overrides: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "name": "Salesforce button",
        "grant_types": ["client_credentials"],
        "scopes": ["successplays:trigger_manual"],
    }
    spec.update(overrides)
    return spec


def test_create_shows_the_secret_once_and_stores_only_its_hash(
    api: ApiWorld, database: Database
) -> None:
    created = api.admin.post(APPS, json=machine(acting_user=api.admin_user.email))

    assert created.status_code == 201, created.text
    app = created.json()
    assert app["client_id"].startswith("prapp_")
    assert app["client_secret"].startswith("prcs_")
    assert app["secret_hint"] == "prcs_…" + app["client_secret"][-4:]
    assert app["acting_user"] == api.admin_user.email
    assert app["access_token_lifetime"] == 3600
    with database.session(read_only=True) as session:
        stored = session.scalars(select(OAuthApp)).one()
    assert stored.secret_hash == hashlib.sha256(app["client_secret"].encode()).hexdigest()

    for answer in (api.admin.get(f"{APPS}/{app['id']}"), api.admin.get(APPS)):
        assert answer.status_code == 200
        assert "client_secret" not in answer.text
        assert app["client_secret"] not in answer.text


def test_there_is_no_cap_of_two_apps(api: ApiWorld) -> None:
    for number in range(5):
        spec = machine(name=f"App {number}", acting_user=api.admin_user.email)
        assert api.admin.post(APPS, json=spec).status_code == 201
    listed = api.admin.get(APPS, params={"limit": 2}).json()
    assert listed["total"] == 5
    assert [a["name"] for a in listed["items"]] == ["App 0", "App 1"]


@pytest.mark.parametrize(
    ("spec", "field", "message"),
    [
        (machine(scopes=["made:up"]), "scopes", "Unknown scope made:up"),
        (machine(), "acting_user", "The client_credentials grant needs acting_user"),
        (
            machine(grant_types=["authorization_code"]),
            "redirect_uris",
            "The authorization_code grant needs at least one redirect URI",
        ),
        (
            machine(grant_types=["refresh_token"], acting_user="ADMIN"),
            "grant_types",
            "The refresh_token grant is only given with authorization_code",
        ),
        (
            machine(grant_types=["authorization_code"], redirect_uris=["http://crm.example/cb"]),
            "redirect_uris",
            "must use https",
        ),
        (
            machine(grant_types=["authorization_code"], redirect_uris=["https://x.example/#a"]),
            "redirect_uris",
            "must not have a fragment",
        ),
        (
            machine(grant_types=["authorization_code"], redirect_uris=["/relative"]),
            "redirect_uris",
            "must be an absolute https URL",
        ),
        (machine(grant_types=["password"]), "body.grant_types[0]", "Input should be"),
        (machine(scopes=[]), "body.scopes", "at least 1 item"),
        (machine(name="x\x00"), "body.name", "NUL"),
        (machine(acting_user="nobody@example.com"), "acting_user", "not found"),
        (machine(access_token_lifetime=10), "body.access_token_lifetime", "greater than"),
        ({**machine(), "secret": "mine"}, "body.secret", "Extra inputs"),
    ],
)
def test_invalid_registrations_are_400_naming_the_field(
    api: ApiWorld, spec: dict[str, Any], field: str, message: str
) -> None:
    if spec.get("acting_user") == "ADMIN":
        spec = {**spec, "acting_user": api.admin_user.email}
    response = api.admin.post(APPS, json=spec)
    status = 404 if message == "not found" else 400
    document = problem(response, status)
    assert document["field"] == field
    assert message in document["detail"]


def test_loopback_redirect_uris_may_use_http(api: ApiWorld) -> None:
    uris = ["http://127.0.0.1:8765/cb", "http://localhost/cb", "https://crm.example/cb"]
    spec = machine(grant_types=["authorization_code", "refresh_token"], redirect_uris=uris)
    created = api.admin.post(APPS, json=spec)
    assert created.status_code == 201, created.text
    assert created.json()["redirect_uris"] == uris


def test_only_admins_register_and_only_their_services_apps_are_seen(api: ApiWorld) -> None:
    denied = api.user.post(APPS, json=machine(acting_user=api.user_user.email))
    assert problem(denied, 403)["detail"] == "User is not authorized with role: SERVICE_ADMIN"
    app = api.admin.post(APPS, json=machine(acting_user=api.admin_user.email)).json()
    assert api.stranger.get(APPS).json()["total"] == 0
    for method in ("GET", "PATCH", "DELETE"):
        answer = api.stranger.request(method, f"{APPS}/{app['id']}", json={"name": "mine"})
        assert problem(answer, 404)["detail"] == f"OAuth application {app['id']} not found"
    assert problem(api.stranger.post(f"{APPS}/{app['id']}/rotate-secret"), 404)
    other_services_user = machine(acting_user=api.admin_user.email)
    assert problem(api.stranger.post(APPS, json=other_services_user), 404)


def test_patch_changes_only_what_is_given(api: ApiWorld) -> None:
    app = api.admin.post(APPS, json=machine(acting_user=api.admin_user.email)).json()

    patched = api.admin.patch(
        f"{APPS}/{app['id']}",
        json={
            "name": "Renamed",
            "scopes": ["accounts:read", "successplays:trigger_manual", "accounts:read"],
            "grant_types": ["client_credentials", "authorization_code"],
            "redirect_uris": ["https://crm.example/cb"],
            "access_token_lifetime": 600,
        },
    )

    assert patched.status_code == 200, patched.text
    result = patched.json()
    assert result["name"] == "Renamed"
    assert result["scopes"] == ["accounts:read", "successplays:trigger_manual"]
    assert result["grant_types"] == ["client_credentials", "authorization_code"]
    assert result["acting_user"] == api.admin_user.email
    assert result["access_token_lifetime"] == 600
    assert result["updated_at"] > app["updated_at"]
    refused = api.admin.patch(f"{APPS}/{app['id']}", json={"acting_user": None})
    assert problem(refused, 400)["field"] == "acting_user"


class TestChangesReachTokensAtOnce:
    def test_a_removed_scope_stops_working(
        self, oauth: OAuthWorld, admin: httpx.Client, http: httpx.Client
    ) -> None:
        app = oauth.machine_app(["accounts:read", "tasks:read"])
        token = oauth.client_credentials_token(app)
        headers = {"app-token": token}
        assert http.get("/api/v1/accounts", headers=headers).status_code == 200

        patch = {"scopes": ["tasks:read"]}
        assert admin.patch(f"{APPS}/{app.id}", json=patch).status_code == 200

        assert problem(http.get("/api/v1/accounts", headers=headers), 403)
        assert http.get("/api/v3/tasks", headers=headers).status_code == 200

    def test_a_new_acting_user_revokes_client_credentials_tokens(
        self, oauth: OAuthWorld, admin: httpx.Client, http: httpx.Client
    ) -> None:
        app = oauth.machine_app(["accounts:read"])
        token = oauth.client_credentials_token(app)
        patch = {"acting_user": oauth.world.user.email}
        assert admin.patch(f"{APPS}/{app.id}", json=patch).status_code == 200

        response = http.get("/api/v1/accounts", headers={"app-token": token})

        assert problem(response, 401)["detail"] == "Token has been revoked"
        me = http.get(
            "/api/v1/users/me",
            headers={"app-token": oauth.client_credentials_token(app, scope="accounts:read")},
        )
        assert me.status_code == 403  # no users:read; but the token is the new user's
        assert me.json()["detail"].endswith("(Users: Read users)")

    def test_rotating_the_secret_stops_the_old_one_not_the_tokens(
        self, oauth: OAuthWorld, admin: httpx.Client, http: httpx.Client
    ) -> None:
        app = oauth.machine_app(["accounts:read"])
        token = oauth.client_credentials_token(app)

        rotated = admin.post(f"{APPS}/{app.id}/rotate-secret")

        assert rotated.status_code == 200
        secret = rotated.json()["client_secret"]
        assert secret != app.client_secret
        with pytest.raises(OAuthError) as refused:
            oauth.client_credentials_token(app)
        assert refused.value.error == "invalid_client"
        fresh = oauth.client_credentials_token(RegisteredApp(app.id, app.client_id, secret))
        for usable in (token, fresh):
            assert http.get("/api/v1/accounts", headers={"app-token": usable}).status_code == 200

    def test_deleting_an_app_revokes_every_token(
        self, oauth: OAuthWorld, admin: httpx.Client, http: httpx.Client
    ) -> None:
        app = oauth.machine_app(["accounts:read"])
        tokens = [oauth.client_credentials_token(app) for _ in range(2)]

        assert admin.delete(f"{APPS}/{app.id}").status_code == 204

        for token in tokens:
            response = http.get("/api/v1/accounts", headers={"app-token": token})
            assert problem(response, 401)["detail"] == "Token has been revoked"
        assert problem(admin.get(f"{APPS}/{app.id}"), 404)
        with pytest.raises(OAuthError) as refused:
            oauth.client_credentials_token(app)
        assert refused.value.error == "invalid_client"


@pytest.fixture
def admin(oauth: OAuthWorld) -> Iterator[httpx.Client]:
    """The service's admin, with a personal access token."""
    headers = {"app-token": oauth.world.admin_token}
    with httpx.Client(base_url=oauth.base_url, headers=headers, timeout=30) as client:
        yield client
