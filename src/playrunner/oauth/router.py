"""OAuth applications: ``/api/v1/oauth/apps`` for admins (personal access tokens only), the
public scope catalogue, and the protocol endpoints: token, revocation, metadata, and the
login and consent page of the authorization code grant.

The protocol endpoints answer RFC 6749 JSON errors (``{"error": "invalid_client", ...}``), not
problem documents: OAuth client libraries read those.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from playrunner.api.dependencies import DatabaseDep, client_address
from playrunner.api.openapi import component_ref, problem_responses
from playrunner.api.pagination import Page, PageDep
from playrunner.api.paths import AppId
from playrunner.api.state import app_state
from playrunner.auth import scopes as catalogue
from playrunner.auth import sign_in
from playrunner.auth.dependencies import PERSONAL_TOKENS_ONLY, AdminPrincipal, operations_by_scope
from playrunner.auth.openapi import CLIENT_AUTHENTICATION
from playrunner.oauth import pages, server, service
from playrunner.oauth.schemas import (
    AppCreate,
    AppCreated,
    AppPatch,
    AppRead,
    AuthorizationServerMetadata,
    OAuthError,
    RevocationRequest,
    Revoked,
    ScopeRead,
    TokenRequest,
    TokenResponse,
)
from playrunner.ui import csrf
from playrunner.ui.forms import parse_form
from playrunner.users import service as users_service

APPS = "/api/v1/oauth/apps"
FORM_MODELS: tuple[type[BaseModel], ...] = (TokenRequest, RevocationRequest)
"""The protocol's form bodies, read by Authlib: components only for OpenAPI."""

router = APIRouter(tags=["OAuth applications"])
protocol = APIRouter(tags=["OAuth 2.0"])

_OAUTH_ERROR: dict[str, Any] = {"model": OAuthError}
_OAUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {**_OAUTH_ERROR, "description": "A request the server refuses (RFC 6749 5.2)"},
    401: {**_OAUTH_ERROR, "description": "The client could not be authenticated"},
}
_CLIENT_AUTHENTICATION = {"security": CLIENT_AUTHENTICATION}


def _form_body(model: type[BaseModel]) -> dict[str, Any]:
    form = {"application/x-www-form-urlencoded": {"schema": component_ref(model)}}
    return {"requestBody": {"required": True, "content": form}}


_CONSENT_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "description": "The consent page's form: its CSRF token, decision (allow or"
                    " deny), email and password, and the authorization request's parameters",
                }
            }
        },
    }
}
_HTML = {"content": {"text/html": {"schema": {"type": "string"}}}}


# Registration (admins, personal access tokens)


@router.post(
    APPS,
    operation_id="createOAuthApp",
    status_code=201,
    response_model=AppCreated,
    dependencies=[PERSONAL_TOKENS_ONLY],
    responses=problem_responses(400, 401, 403, 404, 429, 503),
)
async def create_app(body: AppCreate, principal: AdminPrincipal, db: DatabaseDep) -> AppCreated:
    """Register an application. The client secret (``client_secret``) is in this answer only."""

    def work(s: Session) -> AppCreated:
        issued = service.create_app(s, principal.tenant_id, body)
        return AppCreated(**issued.app.model_dump(), client_secret=issued.secret)

    return await db.write(work)


@router.get(
    APPS,
    operation_id="listOAuthApps",
    response_model=Page[AppRead],
    dependencies=[PERSONAL_TOKENS_ONLY],
    responses=problem_responses(400, 401, 403, 429, 503),
)
async def list_apps(principal: AdminPrincipal, db: DatabaseDep, page: PageDep) -> Page[AppRead]:
    """Your service's applications, oldest first. Never their secrets."""
    items, total = await db.read(
        lambda s: service.page_apps(s, principal.tenant_id, limit=page.limit, offset=page.offset)
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get(
    APPS + "/{app_id}",
    operation_id="getOAuthApp",
    response_model=AppRead,
    dependencies=[PERSONAL_TOKENS_ONLY],
    responses=problem_responses(400, 401, 403, 404, 429, 503),
)
async def get_app(principal: AdminPrincipal, app_id: AppId, db: DatabaseDep) -> AppRead:
    return await db.read(
        lambda s: service.read_app(s, service.get_app(s, principal.tenant_id, app_id))
    )


@router.patch(
    APPS + "/{app_id}",
    operation_id="updateOAuthApp",
    response_model=AppRead,
    dependencies=[PERSONAL_TOKENS_ONLY],
    responses=problem_responses(400, 401, 403, 404, 429, 503),
)
async def update_app(
    principal: AdminPrincipal, app_id: AppId, body: AppPatch, db: DatabaseDep
) -> AppRead:
    """Change the name, grant types, scopes, redirect URIs, acting user or token lifetime."""
    return await db.write(lambda s: service.update_app(s, principal.tenant_id, app_id, body))


@router.post(
    APPS + "/{app_id}/rotate-secret",
    operation_id="rotateOAuthAppSecret",
    response_model=AppCreated,
    dependencies=[PERSONAL_TOKENS_ONLY],
    responses=problem_responses(400, 401, 403, 404, 429, 503),
)
async def rotate_secret(principal: AdminPrincipal, app_id: AppId, db: DatabaseDep) -> AppCreated:
    """A new client secret, in this answer only; the old one stops working at once."""

    def work(s: Session) -> AppCreated:
        issued = service.rotate_secret(s, principal.tenant_id, app_id)
        return AppCreated(**issued.app.model_dump(), client_secret=issued.secret)

    return await db.write(work)


@router.delete(
    APPS + "/{app_id}",
    operation_id="deleteOAuthApp",
    status_code=204,
    dependencies=[PERSONAL_TOKENS_ONLY],
    responses=problem_responses(400, 401, 403, 404, 429, 503),
)
async def delete_app(principal: AdminPrincipal, app_id: AppId, db: DatabaseDep) -> Response:
    """Delete an application: every token it holds is revoked at once."""
    await db.write(lambda s: service.delete_app(s, principal.tenant_id, app_id))
    return Response(status_code=204)


@router.get("/api/v1/oauth/scopes", operation_id="listOAuthScopes", response_model=list[ScopeRead])
async def list_scopes(request: Request) -> list[ScopeRead]:
    """Every scope an application can be given, its label, and the operations that need it.
    Public: no token needed."""
    operations = operations_by_scope(request.app.routes)
    return [
        ScopeRead(
            scope=scope.name,
            label=scope.label,
            description=scope.description,
            operations=sorted(operations.get(scope.name, [])),
        )
        for scope in catalogue.CATALOGUE
    ]


# The protocol


@protocol.post(
    server.TOKEN_PATH,
    operation_id="oauthToken",
    summary="Token endpoint (RFC 6749)",
    openapi_extra={**_form_body(TokenRequest), **_CLIENT_AUTHENTICATION},
    responses={
        200: {"model": TokenResponse, "description": "The token (Cache-Control: no-store)"},
        **_OAUTH_ERRORS,
    },
)
async def token(request: Request, db: DatabaseDep) -> Response:
    """grant_type client_credentials, authorization_code (with code_verifier) or refresh_token;
    the client authenticates with HTTP Basic or client_id and client_secret in the body."""
    incoming = await _form_request(request)
    if isinstance(incoming, Response):
        return incoming
    return _send(await db.write(lambda s: server.token_response(s, incoming)))


@protocol.post(
    server.REVOCATION_PATH,
    operation_id="oauthRevoke",
    summary="Token revocation (RFC 7009)",
    openapi_extra={**_form_body(RevocationRequest), **_CLIENT_AUTHENTICATION},
    responses={
        200: {"model": Revoked, "description": "Revoked, or it was not a token of this app"},
        **_OAUTH_ERRORS,
    },
)
async def revoke(request: Request, db: DatabaseDep) -> Response:
    """Revoke an access or refresh token (and its pair). Unknown tokens answer 200 too."""
    incoming = await _form_request(request)
    if isinstance(incoming, Response):
        return incoming
    return _send(await db.write(lambda s: server.revocation_response(s, incoming)))


@protocol.get(
    server.METADATA_PATH,
    operation_id="oauthMetadata",
    summary="Authorization server metadata (RFC 8414)",
    responses={200: {"model": AuthorizationServerMetadata, "description": "The metadata"}},
)
async def authorization_server_metadata(request: Request) -> Response:
    issuer = app_state(request).settings.base_url
    return Response(orjson.dumps(server.metadata(issuer)), media_type="application/json")


@protocol.get(
    server.AUTHORIZE_PATH,
    operation_id="oauthAuthorize",
    summary="Login and consent page (authorization code grant)",
    response_class=Response,
    responses={200: _HTML, 302: {"description": "Back to the app, with an error"}, 400: _HTML},
)
async def authorize_page(request: Request, db: DatabaseDep) -> Response:
    """Takes response_type=code, client_id, redirect_uri, scope, state, code_challenge and
    code_challenge_method=S256; shows who asks for what, and a login form."""
    params = list(request.query_params.multi_items())
    if any("\x00" in name or "\x00" in value for name, value in params):
        return pages.error_page("The authorization request is malformed")
    incoming = server.IncomingRequest("GET", str(request.url), request.headers, params)
    try:
        outcome = await db.read(lambda s: server.consent(s, incoming))
    except server.AuthorizationRequestInvalid as exc:
        return pages.error_page(exc.message)
    if isinstance(outcome, server.OAuthResponse):
        return _send(outcome)
    return pages.consent_page(request, outcome, params, csrf.new_token())


@protocol.post(
    server.AUTHORIZE_PATH,
    operation_id="oauthAuthorizeDecision",
    summary="The login and consent form's answer",
    response_class=Response,
    openapi_extra=_CONSENT_FORM,
    responses={200: _HTML, 302: {"description": "Back to the app"}, 400: _HTML, 429: _HTML},
)
async def authorize_decision(request: Request, db: DatabaseDep) -> Response:
    """Allow (with the user's email and password) or deny; either way back to the app."""
    form = parse_form(await request.body())
    if form is None:
        return pages.error_page("The form could not be read")
    fields = dict(form)
    if not csrf.cookie_matches(request, pages.CSRF_COOKIE, fields.get(csrf.CSRF_FIELD)):
        return pages.error_page(
            "The form has expired or was not sent from this page; start again from the app."
        )
    params = [(name, value) for name, value in form if name not in pages.PAGE_FIELDS]
    incoming = server.IncomingRequest("POST", str(request.url), request.headers, params)
    try:
        outcome = await db.read(lambda s: server.consent(s, incoming))
    except server.AuthorizationRequestInvalid as exc:
        return pages.error_page(exc.message)
    if isinstance(outcome, server.OAuthResponse):
        return _send(outcome)
    if fields.get("decision") != "allow":
        return _send(await db.write(lambda s: server.authorization_response(s, incoming, None)))

    email, password = fields.get("email", "").strip(), fields.get("password", "")
    try:
        user = await sign_in.sign_in(
            db,
            app_state(request).rate_limiter,
            tenant_id=outcome.tenant_id,
            email=email,
            password=password,
            client_address=client_address(request),
        )
    except sign_in.SignInRefused as refused:
        token = fields[csrf.CSRF_FIELD]
        return pages.consent_page(
            request,
            outcome,
            params,
            token,
            error=refused.message,
            email=email,
            status=refused.status_code,
        )
    return _send(
        await db.write(
            lambda s: server.authorization_response(
                s, incoming, users_service.find_active_user(s, outcome.tenant_id, user.id)
            )
        )
    )


router.include_router(protocol)


async def _form_request(request: Request) -> server.IncomingRequest | Response:
    """The protocol's ``application/x-www-form-urlencoded`` body (RFC 6749 3.2)."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/x-www-form-urlencoded":
        return _invalid_request("The body must be application/x-www-form-urlencoded")
    params = parse_form(await request.body())
    if params is None:
        return _invalid_request("The body is not a readable form")
    return server.IncomingRequest(request.method, str(request.url), request.headers, params)


def _invalid_request(description: str) -> Response:
    return _send(
        server.OAuthResponse(
            400,
            {"error": "invalid_request", "error_description": description},
            [("Content-Type", "application/json"), ("Cache-Control", "no-store")],
        )
    )


def _send(answer: server.OAuthResponse) -> Response:
    headers = dict(answer.headers)
    headers.setdefault("Cache-Control", "no-store")
    body: Any = orjson.dumps(answer.body) if isinstance(answer.body, dict) else answer.body
    return Response(body, answer.status, headers)
