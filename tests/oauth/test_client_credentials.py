"""The client credentials grant end to end over real HTTP, with Authlib's httpx client: the
token, what it may call, and every way it stops working."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import time_machine
from authlib.integrations.base_client import OAuthError  # type: ignore[import-untyped]
from sqlalchemy import select

from playrunner.app import create_app
from playrunner.auth.dependencies import APP_TOKENS_REFUSED, CurrentPrincipal
from playrunner.config import Settings
from playrunner.db import Database
from playrunner.models import GrantType, OAuthToken, UserRole
from playrunner.users import service as users_service
from tests.live_server import LiveServer
from tests.oauth.helpers import OAuthWorld
from tests.worlds import problem

ACCOUNTS = "/api/v1/accounts"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_calls_the_api_it_has_the_scope_for(
    oauth: OAuthWorld, http: httpx.Client, database: Database
) -> None:
    app = oauth.machine_app(["accounts:read"])
    with oauth.client(app) as client:
        token = client.fetch_token(oauth.url("/oauth/token"), grant_type="client_credentials")
        # The client is an httpx client that now sends the token as a Bearer.
        listed = client.get(oauth.url(ACCOUNTS))

    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 3600
    assert token["scope"] == "accounts:read"
    assert "refresh_token" not in token  # RFC 6749 4.4.3
    assert token["access_token"].startswith("proat_")
    assert listed.status_code == 200, listed.text
    assert [a["account_id"] for a in listed.json()["items"]] == ["acme"]
    # Totango's header works as well as Bearer.
    by_header = http.get(ACCOUNTS, headers={"app-token": token["access_token"]})
    assert by_header.status_code == 200
    # Only the hash is stored.
    with database.session(read_only=True) as session:
        stored = session.scalars(select(OAuthToken)).one()
    digest = hashlib.sha256(token["access_token"].encode()).hexdigest()
    assert stored.access_token_hash == digest
    assert token["access_token"] not in (stored.access_token_hash, stored.refresh_token_hash)


def test_client_secret_post_authenticates_too(oauth: OAuthWorld) -> None:
    app = oauth.machine_app(["accounts:read"])
    with oauth.client(app, token_endpoint_auth_method="client_secret_post") as client:
        token = client.fetch_token(oauth.url("/oauth/token"), grant_type="client_credentials")
    assert token["access_token"].startswith("proat_")


def test_a_wrong_secret_is_invalid_client(oauth: OAuthWorld, http: httpx.Client) -> None:
    app = oauth.machine_app(["accounts:read"])
    last = "y" if app.client_secret.endswith("x") else "x"  # never the right secret by chance
    wrong = replace(app, client_secret=app.client_secret[:-1] + last)
    with oauth.client(wrong) as client, pytest.raises(OAuthError) as refused:
        client.fetch_token(oauth.url("/oauth/token"), grant_type="client_credentials")
    assert refused.value.error == "invalid_client"

    raw = http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(app.client_id, "prcs_nonsense"),
    )
    assert raw.status_code == 401
    assert raw.json()["error"] == "invalid_client"
    assert raw.headers["www-authenticate"].startswith("Basic")
    assert raw.headers["cache-control"] == "no-store"


def test_an_unknown_client_is_invalid_client(oauth: OAuthWorld, http: httpx.Client) -> None:
    response = http.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "prapp_nobody",
            "client_secret": "x",
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client"


def test_scopes_are_checked_against_the_catalogue_and_the_app(oauth: OAuthWorld) -> None:
    app = oauth.machine_app(["accounts:read", "tasks:read"])
    with oauth.client(app) as client:
        for scope in ("accounts:write", "made:up"):
            with pytest.raises(OAuthError) as refused:
                client.fetch_token(
                    oauth.url("/oauth/token"), grant_type="client_credentials", scope=scope
                )
            assert refused.value.error == "invalid_scope"
            assert scope in refused.value.description
        narrower = client.fetch_token(
            oauth.url("/oauth/token"), grant_type="client_credentials", scope="tasks:read"
        )
    assert narrower["scope"] == "tasks:read"
    listed = httpx.get(oauth.url(ACCOUNTS), headers=bearer(narrower["access_token"]))
    assert listed.status_code == 403


def test_a_grant_the_app_was_not_given_is_unauthorized_client(oauth: OAuthWorld) -> None:
    app = oauth.web_app(["accounts:read"])
    with oauth.client(app) as client, pytest.raises(OAuthError) as refused:
        client.fetch_token(oauth.url("/oauth/token"), grant_type="client_credentials")
    assert refused.value.error == "unauthorized_client"


def test_a_token_without_the_scope_gets_403_naming_it(
    oauth: OAuthWorld, http: httpx.Client
) -> None:
    token = oauth.client_credentials_token(oauth.machine_app(["accounts:read"]))

    response = http.post(ACCOUNTS, json={"account_id": "new", "name": "New"}, headers=bearer(token))

    document = problem(response, 403)
    assert document["detail"] == (
        "The application's token lacks the scope accounts:write (Accounts: Manage accounts and"
        " account roles)"
    )
    assert 'error="insufficient_scope"' in response.headers["www-authenticate"]
    assert 'scope="accounts:write"' in response.headers["www-authenticate"]


def test_a_revoked_token_gets_401(oauth: OAuthWorld, http: httpx.Client) -> None:
    app = oauth.machine_app(["accounts:read"])
    with oauth.client(app) as client:
        token = client.fetch_token(oauth.url("/oauth/token"), grant_type="client_credentials")
        assert client.get(oauth.url(ACCOUNTS)).status_code == 200
        revoked = client.revoke_token(oauth.url("/oauth/revoke"), token=token["access_token"])
        assert revoked.status_code == 200

    response = http.get(ACCOUNTS, headers=bearer(token["access_token"]))

    assert problem(response, 401)["detail"] == "Token has been revoked"


def test_revoking_an_unknown_token_answers_200(oauth: OAuthWorld) -> None:
    app = oauth.machine_app(["accounts:read"])
    with oauth.client(app) as client:
        answer = client.revoke_token(oauth.url("/oauth/revoke"), token="proat_not_a_token")
    assert answer.status_code == 200


def test_another_apps_token_cannot_be_revoked(oauth: OAuthWorld, http: httpx.Client) -> None:
    mine = oauth.client_credentials_token(oauth.machine_app(["accounts:read"]))
    other = oauth.machine_app(["accounts:read"])
    with oauth.client(other) as client:
        answer = client.revoke_token(oauth.url("/oauth/revoke"), token=mine)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"
    assert http.get(ACCOUNTS, headers=bearer(mine)).status_code == 200


def test_an_expired_token_gets_401(oauth: OAuthWorld, http: httpx.Client) -> None:
    app = oauth.register(
        GrantType.CLIENT_CREDENTIALS,
        scopes=["accounts:read"],
        acting_user=oauth.world.admin,
        lifetime=600,
    )
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False) as traveller:
        token = oauth.client_credentials_token(app)
        traveller.shift(timedelta(seconds=599))
        assert http.get(ACCOUNTS, headers=bearer(token)).status_code == 200
        traveller.shift(timedelta(seconds=2))
        response = http.get(ACCOUNTS, headers=bearer(token))
    assert problem(response, 401)["detail"] == "Token has expired"


def test_a_token_expires_after_an_hour_by_default(oauth: OAuthWorld, http: httpx.Client) -> None:
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False) as traveller:
        token = oauth.client_credentials_token(oauth.machine_app(["accounts:read"]))
        traveller.shift(timedelta(minutes=59))
        assert http.get(ACCOUNTS, headers=bearer(token)).status_code == 200
        traveller.shift(timedelta(minutes=1, seconds=1))
        assert problem(http.get(ACCOUNTS, headers=bearer(token)), 401)["detail"] == (
            "Token has expired"
        )


def test_deactivating_the_acting_user_stops_the_app_at_once(
    oauth: OAuthWorld, http: httpx.Client, database: Database
) -> None:
    csm = oauth.world.csm
    app = oauth.machine_app(["accounts:read"], acting_user=csm)
    token = oauth.client_credentials_token(app)
    with database.session() as session:
        users_service.set_active(session, csm.tenant_id, csm.email, False)

    assert problem(http.get(ACCOUNTS, headers=bearer(token)), 401)["detail"] == (
        "User is deactivated"
    )
    with oauth.client(app) as client, pytest.raises(OAuthError) as refused:
        client.fetch_token(oauth.url("/oauth/token"), grant_type="client_credentials")
    assert refused.value.error == "invalid_grant"


def test_a_demoted_acting_user_loses_admin_routes_at_once(
    oauth: OAuthWorld, http: httpx.Client, database: Database
) -> None:
    admin = oauth.factory.admin(oauth.world.tenant)
    token = oauth.client_credentials_token(oauth.machine_app(["users:read"], acting_user=admin))
    assert http.get("/api/v1/users", headers=bearer(token)).status_code == 200
    with database.session() as session:
        users_service.set_role(session, admin.tenant_id, admin.email, UserRole.USER)

    response = http.get("/api/v1/users", headers=bearer(token))

    assert problem(response, 403)["detail"] == "User is not authorized with role: SERVICE_ADMIN"


def test_tokens_and_apps_are_for_personal_tokens_only(
    oauth: OAuthWorld, http: httpx.Client
) -> None:
    token = oauth.client_credentials_token(oauth.machine_app(["accounts:read", "users:write"]))
    for method, path in (
        ("GET", "/api/v1/tokens"),
        ("POST", "/api/v1/tokens"),
        ("GET", "/api/v1/oauth/apps"),
    ):
        response = http.request(method, path, headers=bearer(token), json={"name": "x"})
        assert problem(response, 403)["detail"] == APP_TOKENS_REFUSED


@pytest.fixture
def server_with_an_undeclared_route(settings: Settings) -> Iterator[LiveServer]:
    app = create_app(settings)

    @app.get("/undeclared")
    async def undeclared(principal: CurrentPrincipal) -> dict[str, str]:
        return {"email": principal.email}

    with LiveServer(app) as live:
        yield live


def test_a_route_that_declares_no_scope_refuses_app_tokens(
    oauth: OAuthWorld, server_with_an_undeclared_route: LiveServer
) -> None:
    """Scopes fail closed: a route someone forgot to give a scope is not open to apps."""
    token = oauth.client_credentials_token(oauth.machine_app(["accounts:read"]))
    url = server_with_an_undeclared_route.url + "/undeclared"

    assert problem(httpx.get(url, headers=bearer(token)), 403)["detail"] == APP_TOKENS_REFUSED
    personal = httpx.get(url, headers={"app-token": oauth.world.admin_token})
    assert personal.json() == {"email": oauth.world.admin.email}


def test_the_rate_limit_is_per_application(oauth: OAuthWorld, http: httpx.Client) -> None:
    """Minting more tokens does not raise an app's limit: its tokens share one count."""
    app = oauth.machine_app(["accounts:read"])
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False):
        first = oauth.client_credentials_token(app)
        second = oauth.client_credentials_token(app)
        for call in range(100):
            token = first if call % 2 else second
            response = http.get(ACCOUNTS, headers=bearer(token))
            assert response.status_code == 200
            assert response.headers["ratelimit-remaining"] == str(99 - call)

        assert http.get(ACCOUNTS, headers=bearer(first)).status_code == 429
        assert http.get(ACCOUNTS, headers=bearer(second)).status_code == 429
        third = oauth.client_credentials_token(app)
        assert http.get(ACCOUNTS, headers=bearer(third)).status_code == 429
        # Another app, and the acting user's own personal token, count on their own.
        other = oauth.client_credentials_token(oauth.machine_app(["accounts:read"]))
        assert http.get(ACCOUNTS, headers=bearer(other)).status_code == 200
        personal = {"app-token": oauth.world.admin_token}
        assert http.get(ACCOUNTS, headers=personal).status_code == 200


@pytest.mark.parametrize(
    ("headers", "body", "status", "error"),
    [
        ({"Content-Type": "application/json"}, b'{"grant_type": "x"}', 400, "invalid_request"),
        ({}, b"grant_type=password&username=a&password=b", 400, "unsupported_grant_type"),
        ({}, b"grant_type=client_credentials&client_id=%00", 400, "invalid_request"),
        ({}, b"grant_type=client_credentials&client_id=%ff", 400, "invalid_request"),
        ({}, b"", 400, "unsupported_grant_type"),
        (
            {"Authorization": "Basic " + base64.b64encode(b"\xff\xfe:x").decode()},
            b"grant_type=client_credentials",
            401,
            "invalid_client",
        ),
        ({"Authorization": "Basic !!!"}, b"grant_type=client_credentials", 401, "invalid_client"),
    ],
)
def test_bad_token_requests_get_rfc_6749_errors_never_500(
    http: httpx.Client, headers: dict[str, str], body: bytes, status: int, error: str
) -> None:
    sent = {"Content-Type": "application/x-www-form-urlencoded", **headers}
    response = http.post("/oauth/token", content=body, headers=sent)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"] == error
