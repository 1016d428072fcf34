"""What a client can find out without a token: the scope catalogue and the authorization
server's metadata."""

from __future__ import annotations

import httpx
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata  # type: ignore[import-untyped]
from fastapi.routing import iter_route_contexts

from playrunner.app import create_app
from playrunner.auth.dependencies import access_requirements
from playrunner.config import Settings
from tests.live_server import LiveServer

# Routes no application may call, and routes outside the management API.
PERSONAL_ONLY_PREFIXES = ("/api/v1/tokens", "/api/v1/oauth/apps")
NO_TOKEN_ROUTES = {
    "/healthz",
    "/readyz",
    "/api/v1/oauth/scopes",
    "/oauth/token",
    "/oauth/revoke",
    "/oauth/authorize",
    "/.well-known/oauth-authorization-server",
    # Systems post events signed with their source's secret, not with a token.
    "/api/v1/events/{source_id}",
}


def test_the_scope_catalogue_is_public_with_labels_and_operations(http: httpx.Client) -> None:
    response = http.get("/api/v1/oauth/scopes")

    assert response.status_code == 200
    scopes = {s["scope"]: s for s in response.json()}
    trigger = scopes["successplays:trigger_manual"]
    assert trigger["label"] == "SuccessPlays: Trigger manual SuccessPlays"
    assert {
        f"{verb}:{kind}"
        for verb in (
            "accounts",
            "users",
            "flows",
            "forms",
            "successplays",
            "tasks",
            "form_requests",
            "webhooks",
            "service",
            "events",
        )
        for kind in ("read", "write")
    } | {"runs:read", "successplays:trigger_manual"} == set(scopes)
    assert "GET /api/v1/accounts" in scopes["accounts:read"]["operations"]
    assert "POST /api/v1/webhooks" in scopes["webhooks:write"]["operations"]
    assert "POST /api/v3/tasks" in scopes["tasks:write"]["operations"]
    assert "PATCH /api/v1/users/{email}" in scopes["users:write"]["operations"]
    assert "PATCH /api/v1/users/me" in scopes["users:write"]["operations"]
    assert "PATCH /api/v1/service" in scopes["service:write"]["operations"]
    assert "GET /api/v1/service" in scopes["service:read"]["operations"]
    assert (
        "POST /api/v1/form-requests/{request_id}/submit"
        in (scopes["form_requests:write"]["operations"])
    )


def test_every_management_route_declares_a_scope_or_refuses_apps(settings: Settings) -> None:
    """Each API declares what an application's token needs (or that none may call it)."""
    app = create_app(settings)
    undeclared = []
    contexts = list(iter_route_contexts(app.routes))
    assert len(contexts) > 50
    for context in contexts:
        path = context.path or ""
        if path in NO_TOKEN_ROUTES or not path.startswith("/api/"):
            continue
        requirements = access_requirements(context.original_route)
        if path.startswith(PERSONAL_ONLY_PREFIXES):
            assert [r.scope for r in requirements] == [None], path
        elif not requirements:
            undeclared.append(path)
    assert undeclared == []


def test_metadata_follows_rfc_8414(server: LiveServer, http: httpx.Client) -> None:
    response = http.get("/.well-known/oauth-authorization-server")

    assert response.status_code == 200
    document = response.json()
    AuthorizationServerMetadata(document).validate()
    assert document["issuer"] == server.url
    assert document["token_endpoint"] == server.url + "/oauth/token"
    assert document["authorization_endpoint"] == server.url + "/oauth/authorize"
    assert document["revocation_endpoint"] == server.url + "/oauth/revoke"
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert set(document["grant_types_supported"]) == {
        "client_credentials",
        "authorization_code",
        "refresh_token",
    }
    assert "successplays:trigger_manual" in document["scopes_supported"]


def test_the_oauth_operations_are_in_the_openapi_description(http: httpx.Client) -> None:
    operations = {
        operation["operationId"]
        for path in http.get("/openapi.json").json()["paths"].values()
        for operation in path.values()
    }
    assert {
        "createOAuthApp",
        "listOAuthApps",
        "getOAuthApp",
        "updateOAuthApp",
        "rotateOAuthAppSecret",
        "deleteOAuthApp",
        "listOAuthScopes",
        "oauthToken",
        "oauthRevoke",
        "oauthMetadata",
        "oauthAuthorize",
    } <= operations
