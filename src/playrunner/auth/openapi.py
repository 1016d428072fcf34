"""How the OpenAPI document says who may call each operation.

FastAPI declares the ``app-token`` and ``bearer`` schemes on every operation that
authenticates (``auth/dependencies.py: authenticate`` reads the token through them). This adds
OAuth 2.0, and on each operation an application's token may call, the scopes it needs there,
read from the route's own ``require_scope`` (so the document cannot drift from the checks).
Operations for personal access tokens only do not offer OAuth 2.0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi.openapi.models import (
    OAuth2,
    OAuthFlowAuthorizationCode,
    OAuthFlowClientCredentials,
    OAuthFlows,
)
from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute

from playrunner.auth import scopes
from playrunner.auth.dependencies import APP_TOKEN, BEARER, access_requirements
from playrunner.oauth.server import AUTHORIZE_PATH, TOKEN_PATH

OAUTH2 = "oauth2"
PERSONAL: list[dict[str, list[str]]] = [{APP_TOKEN.scheme_name: []}, {BEARER.scheme_name: []}]
OAUTH_CLIENT = "oauth-client"
CLIENT_AUTHENTICATION: list[dict[str, list[str]]] = [{OAUTH_CLIENT: []}, {}]
"""How an application authenticates to the token and revocation endpoints: HTTP Basic
(client_secret_basic), or client_id and client_secret in the form (client_secret_post,
the empty requirement)."""


def oauth2_scheme() -> dict[str, Any]:
    """Both grants an application may use, and every scope it may be given."""
    catalogue = scopes.descriptions()
    scheme = OAuth2(
        flows=OAuthFlows(
            clientCredentials=OAuthFlowClientCredentials(tokenUrl=TOKEN_PATH, scopes=catalogue),
            authorizationCode=OAuthFlowAuthorizationCode(
                authorizationUrl=AUTHORIZE_PATH,
                tokenUrl=TOKEN_PATH,
                refreshUrl=TOKEN_PATH,
                scopes=catalogue,
            ),
        ),
        description="An OAuth application's access token (proat_...), as Authorization: Bearer"
        " or app-token; each operation names the scopes it needs. Authorization codes need PKCE"
        " (S256). Apps are registered under /api/v1/oauth/apps.",
    )
    document: dict[str, Any] = scheme.model_dump(mode="json", by_alias=True, exclude_none=True)
    return document


def with_security(schema: dict[str, Any], routes: Sequence[BaseRoute]) -> dict[str, Any]:
    """Add OAuth 2.0 and each operation's scopes to FastAPI's document."""
    by_operation = {
        (method.lower(), context.path): context
        for context in iter_route_contexts(routes)
        for method in (context.methods or ())
    }
    schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes[OAUTH2] = oauth2_scheme()
    schemes[OAUTH_CLIENT] = {
        "type": "http",
        "scheme": "basic",
        "description": "An OAuth application's client_id and client_secret (client_secret_basic)",
    }
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if {APP_TOKEN.scheme_name: []} not in operation.get("security", []):
                continue  # reads no token: public, or the OAuth protocol's own
            requirements = access_requirements(by_operation[(method, path)])
            operation["security"] = list(PERSONAL)
            if requirements and all(r.scope is not None for r in requirements):
                # A scope of each requirement (all are checked: OAuth 2.0's "and").
                needed = sorted({r.scope for r in requirements if r.scope is not None})
                operation["security"].append({OAUTH2: needed})
    return schema
