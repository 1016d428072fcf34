"""Authlib's authorization server, wired to Playrunner's storage.

Authlib implements the protocol: client authentication, the client credentials, authorization
code and refresh token grants (RFC 6749), PKCE (RFC 7636), revocation (RFC 7009) and the
errors of each. It has no Starlette integration for servers, so this module is that thin
adapter, written like Authlib's Flask and Django ones: ``_Request`` gives Authlib the incoming
request's method, URL, headers and parameters, and ``handle_response`` hands back
``OAuthResponse`` for the router to send. A server is built per call around that call's
``Session``, so everything a grant reads and writes is one unit of work.

Authlib ships no type information, hence the ``type: ignore`` on its imports and subclasses.
"""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from authlib.oauth2.rfc6749 import (  # type: ignore[import-untyped]
    AuthorizationCodeGrant,
    AuthorizationCodeMixin,
    AuthorizationServer,
    ClientCredentialsGrant,
    ClientMixin,
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    OAuth2Error,
    OAuth2Payload,
    OAuth2Request,
    RefreshTokenGrant,
    TokenMixin,
    list_to_scope,
    scope_to_list,
)
from authlib.oauth2.rfc7009 import RevocationEndpoint  # type: ignore[import-untyped]
from authlib.oauth2.rfc7636 import CodeChallenge  # type: ignore[import-untyped]
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata  # type: ignore[import-untyped]
from sqlalchemy.orm import Session

from playrunner.auth import scopes as catalogue
from playrunner.errors import InvalidRequest
from playrunner.models import GrantType, OAuthApp, OAuthAuthorizationCode, OAuthToken, User
from playrunner.oauth import service
from playrunner.tokens.secrets import generate_secret
from playrunner.users import service as users_service

AUTHORIZE_PATH = "/oauth/authorize"
TOKEN_PATH = "/oauth/token"
REVOCATION_PATH = "/oauth/revoke"
METADATA_PATH = "/.well-known/oauth-authorization-server"
CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


@dataclass(frozen=True)
class IncomingRequest:
    """What the protocol needs of an HTTP request; ``headers`` is case-insensitive."""

    method: str
    url: str
    headers: Mapping[str, str]
    params: list[tuple[str, str]]


@dataclass(frozen=True)
class OAuthResponse:
    """Authlib's answer: a JSON body (a dict) or an empty one with a ``Location``."""

    status: int
    body: dict[str, Any] | str
    headers: list[tuple[str, str]]


@dataclass(frozen=True)
class Consent:
    """A valid authorization request, to show on the consent page."""

    app_name: str
    tenant_id: str
    scopes: list[str]


class AuthorizationRequestInvalid(InvalidRequest):
    """An authorization request that cannot even be answered by redirecting to the app (an
    unknown client, an unregistered redirect URI): the page itself says what is wrong."""


def token_response(session: Session, incoming: IncomingRequest) -> OAuthResponse:
    """The token endpoint (RFC 6749 3.2): every grant, and its errors as JSON."""
    server = _Server(session)
    try:
        request = _Request(incoming)
        response: OAuthResponse = server.create_token_response(request)
    except OAuth2Error as error:
        return _error(server, error)
    except ValueError:
        return _malformed(server)
    return response


def revocation_response(session: Session, incoming: IncomingRequest) -> OAuthResponse:
    """The revocation endpoint (RFC 7009)."""
    server = _Server(session)
    try:
        request = _Request(incoming)
        response: OAuthResponse = server.create_endpoint_response("revocation", request)
    except OAuth2Error as error:
        return _error(server, error)
    except ValueError:
        return _malformed(server)
    return response


def consent(session: Session, incoming: IncomingRequest) -> Consent | OAuthResponse:
    """Check an authorization request before showing the login and consent page. Errors go
    back to the app by redirect once its redirect URI is known good (RFC 6749 4.1.2.1)."""
    server = _Server(session)
    try:
        request = _Request(incoming)
        grant = server.get_consent_grant(request=request, end_user=None)
    except OAuth2Error as error:
        return _refusal(server, error)
    except ValueError:
        raise AuthorizationRequestInvalid("The authorization request is malformed") from None
    app: OAuthApp = grant.client.app
    return Consent(app.name, app.tenant_id, scope_to_list(request.scope) or [])


def authorization_response(
    session: Session, incoming: IncomingRequest, user: User | None
) -> OAuthResponse:
    """Answer the consent page: a code for ``user``, or ``access_denied`` when None."""
    server = _Server(session)
    try:
        request = _Request(incoming)
        grant = server.get_consent_grant(request=request, end_user=None)
        response: OAuthResponse = server.create_authorization_response(
            request=request, grant_user=user, grant=grant
        )
    except OAuth2Error as error:
        return _refusal(server, error)
    except ValueError:
        raise AuthorizationRequestInvalid("The authorization request is malformed") from None
    return response


def metadata(issuer: str) -> dict[str, Any]:
    """Authorization server metadata (RFC 8414) for the server at ``issuer``."""
    document = AuthorizationServerMetadata(
        {
            "issuer": issuer,
            "authorization_endpoint": issuer + AUTHORIZE_PATH,
            "token_endpoint": issuer + TOKEN_PATH,
            "revocation_endpoint": issuer + REVOCATION_PATH,
            "scopes_supported": [scope.name for scope in catalogue.CATALOGUE],
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": [grant.value for grant in GrantType],
            "token_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
            "revocation_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
            "code_challenge_methods_supported": ["S256"],
            "service_documentation": issuer + "/docs",
        }
    )
    return dict(document)


def _error(server: _Server, error: Any) -> OAuthResponse:
    response: OAuthResponse = server.handle_error_response(None, error)
    return response


def _malformed(server: _Server) -> OAuthResponse:
    # Authlib refuses to build an error description from characters RFC 6749 forbids there
    # (a parameter it echoes back, such as a redirect URI with quotes): answer plainly.
    return _error(server, InvalidRequestError("A parameter holds characters it may not hold"))


def _refusal(server: _Server, error: Any) -> OAuthResponse:
    if error.redirect_uri:
        return _error(server, error)
    raise AuthorizationRequestInvalid(error.get_error_description() or error.error)


# The adapter: Authlib's request from ours, and its answers as OAuthResponse.


class _Payload(OAuth2Payload):  # type: ignore[misc]
    def __init__(self, params: list[tuple[str, str]]) -> None:
        self._data: dict[str, str] = {}
        self._datalist: defaultdict[str, list[str]] = defaultdict(list)
        for name, value in params:
            self._data.setdefault(name, value)
            self._datalist[name].append(value)

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist


class _Request(OAuth2Request):  # type: ignore[misc]
    """Authlib's request. Raises InsecureTransportError unless the URL is https (or http on
    a loopback address)."""

    def __init__(self, incoming: IncomingRequest) -> None:
        super().__init__(incoming.method, incoming.url, headers=_authorization(incoming.headers))
        self.payload = _Payload(incoming.params)

    @property
    def args(self) -> dict[str, str]:
        data: dict[str, str] = self.payload.data
        return data

    @property
    def form(self) -> dict[str, str]:
        data: dict[str, str] = self.payload.data
        return data


def _authorization(headers: Mapping[str, str]) -> dict[str, str]:
    """The one header Authlib reads, dropped when its Basic credentials are not UTF-8 base64
    (Authlib would fail on them; without them the client simply is not authenticated)."""
    value = headers.get("authorization")
    if value is None:
        return {}
    scheme, _, credentials = value.strip().partition(" ")
    if scheme.lower() == "basic":
        try:
            base64.b64decode(credentials.strip()).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return {}
    return {"Authorization": value}


class _Client(ClientMixin):  # type: ignore[misc]
    def __init__(self, app: OAuthApp) -> None:
        self.app = app

    def get_client_id(self) -> str:
        return self.app.client_id

    def get_default_redirect_uri(self) -> str | None:
        # Only an app with a single redirect URI may leave it out of the request.
        uris = self.app.redirect_uris
        return str(uris[0]) if len(uris) == 1 else None

    def get_allowed_scope(self, scope: str | None) -> str:
        """What an authorization request may ask for: the scopes asked that the app has, or,
        when none are asked, all of the app's (the consent page lists them)."""
        allowed = set(self.app.scopes)
        requested = set(scope_to_list(scope) or []) or allowed
        return str(list_to_scope(sorted(requested & allowed)))

    def granted_scope(self, grant_type: str, scope: str | None) -> str:
        """What a new access token gets: the scopes asked (or held by the code or refresh
        token) that the app still has. Only a client-credentials request that asks for nothing
        gets all of the app's scopes; a code or refresh token whose scopes were all taken from
        the app gets nothing, rather than everything."""
        allowed = set(self.app.scopes)
        requested = set(scope_to_list(scope) or [])
        if not requested and grant_type == GrantType.CLIENT_CREDENTIALS:
            requested = allowed
        granted = requested & allowed
        if not granted:
            raise InvalidScopeError("The application no longer has any of the scopes asked for")
        return str(list_to_scope(sorted(granted)))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.app.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return service.check_client_secret(self.app, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in CLIENT_AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and self.check_grant_type(GrantType.AUTHORIZATION_CODE)

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.app.grant_types


class _Code(AuthorizationCodeMixin):  # type: ignore[misc]
    def __init__(self, row: OAuthAuthorizationCode) -> None:
        self.row = row
        self.code_challenge = row.code_challenge
        self.code_challenge_method = row.code_challenge_method

    def get_redirect_uri(self) -> str | None:
        return self.row.redirect_uri

    def get_scope(self) -> str:
        return str(list_to_scope(self.row.scopes))


class _Token(TokenMixin):  # type: ignore[misc]
    def __init__(self, row: OAuthToken) -> None:
        self.row = row

    def check_client(self, client: _Client) -> bool:
        return self.row.app_id == client.app.id

    def get_scope(self) -> str:
        return str(list_to_scope(self.row.scopes))


# The grants, each reading and writing through oauth/service.py.


class _AppScopes:
    """Requested scopes must exist and be among the app's (RFC 6749 3.3: invalid_scope)."""

    request: Any

    def validate_requested_scope(self) -> None:
        requested = set(scope_to_list(self.request.payload.scope) or [])
        unknown = catalogue.unknown(requested)
        if unknown:
            raise InvalidScopeError(f"Unknown scope {' '.join(unknown)}")
        beyond = sorted(requested - set(self.request.client.app.scopes))
        if beyond:
            raise InvalidScopeError(f"The application was not given the scope {' '.join(beyond)}")


class _ClientCredentials(_AppScopes, ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = CLIENT_AUTH_METHODS
    server: _Server

    def validate_token_request(self) -> None:
        super().validate_token_request()
        app: OAuthApp = self.request.client.app
        user = users_service.find_active_user(
            self.server.session, app.tenant_id, app.acting_user_id
        )
        if user is None:
            raise InvalidGrantError("The user this application acts as is deactivated")
        self.request.user = user


class _S256CodeChallenge(CodeChallenge):  # type: ignore[misc]
    """PKCE on every authorization request, with S256 only (RFC 9700 2.1.1)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]  # noqa: RUF012 - Authlib's class attribute

    def validate_code_challenge(self, grant: Any, redirect_uri: str | None) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send code_challenge (S256)")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("code_challenge_method must be S256")
        super().validate_code_challenge(grant, redirect_uri)


class _AuthorizationCode(_AppScopes, AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = CLIENT_AUTH_METHODS
    server: _Server

    def generate_authorization_code(self) -> str:
        return generate_secret(service.CODE_PREFIX)

    def save_authorization_code(self, code: str, request: _Request) -> None:
        data = request.payload.data
        service.save_code(
            self.server.session,
            request.client.app,
            request.user.id,
            code,
            redirect_uri=request.payload.redirect_uri,
            scope_names=scope_to_list(request.scope) or [],
            code_challenge=data["code_challenge"],
            code_challenge_method=data["code_challenge_method"],
        )

    def query_authorization_code(self, code: str, client: _Client) -> _Code | None:
        row = service.redeemable_code(self.server.session, client.app, code)
        return _Code(row) if row is not None else None

    def delete_authorization_code(self, authorization_code: _Code) -> None:
        service.mark_code_used(self.server.session, authorization_code.row)

    def authenticate_user(self, authorization_code: _Code) -> User | None:
        row = authorization_code.row
        return users_service.find_active_user(self.server.session, row.tenant_id, row.user_id)


class _RefreshToken(RefreshTokenGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = CLIENT_AUTH_METHODS
    # A refresh token is used once: each refresh answers a new one (RFC 9700 4.14.2).
    INCLUDE_NEW_REFRESH_TOKEN = True
    server: _Server

    def authenticate_refresh_token(self, refresh_token: str) -> _Token | None:
        row = service.usable_refresh_token(self.server.session, refresh_token)
        return _Token(row) if row is not None else None

    def authenticate_user(self, refresh_token: _Token) -> User:
        row = refresh_token.row
        user = users_service.find_active_user(self.server.session, row.tenant_id, row.user_id)
        if user is None:
            raise InvalidGrantError("The user of this refresh token is deactivated")
        return user

    def revoke_old_credential(self, refresh_token: _Token) -> None:
        service.revoke_token(self.server.session, refresh_token.row)


class _Revocation(RevocationEndpoint):  # type: ignore[misc]
    CLIENT_AUTH_METHODS = CLIENT_AUTH_METHODS
    server: _Server

    def query_token(self, token_string: str, token_type_hint: str | None) -> _Token | None:
        row = service.find_token(self.server.session, token_string, token_type_hint)
        return _Token(row) if row is not None else None

    def revoke_token(self, token: _Token, request: _Request) -> None:
        service.revoke_token(self.server.session, token.row)


class _Server(AuthorizationServer):  # type: ignore[misc]
    def __init__(self, session: Session) -> None:
        super().__init__(scopes_supported=[scope.name for scope in catalogue.CATALOGUE])
        self.session = session
        self.register_token_generator("default", self._generate_token)
        self.register_grant(_ClientCredentials)
        self.register_grant(_AuthorizationCode, [_S256CodeChallenge(required=True)])
        self.register_grant(_RefreshToken)
        self.register_endpoint(_Revocation)

    def query_client(self, client_id: str) -> _Client | None:
        app = service.find_client(self.session, client_id)
        return _Client(app) if app is not None else None

    def _generate_token(
        self,
        grant_type: str,
        client: _Client,
        user: User | None = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        granted = client.granted_scope(grant_type, scope)
        token: dict[str, Any] = {
            "token_type": "Bearer",
            "access_token": generate_secret(service.ACCESS_TOKEN_PREFIX),
            "expires_in": expires_in or client.app.access_token_lifetime,
            "scope": granted,
        }
        if include_refresh_token:
            token["refresh_token"] = generate_secret(service.REFRESH_TOKEN_PREFIX)
        return token

    def save_token(self, token: dict[str, Any], request: _Request) -> None:
        previous: _Token | None = request.refresh_token
        code: _Code | None = request.authorization_code
        if previous is not None:
            grant, code_id = previous.row.grant_type, previous.row.authorization_code_id
        elif code is not None:
            grant, code_id = GrantType.AUTHORIZATION_CODE, code.row.id
        else:
            grant, code_id = GrantType.CLIENT_CREDENTIALS, None
        service.save_token(
            self.session,
            request.client.app,
            user_id=request.user.id,
            grant_type=grant,
            scope_names=scope_to_list(token["scope"]) or [],
            access_token=token["access_token"],
            refresh_token=token.get("refresh_token"),
            expires_in=token["expires_in"],
            authorization_code_id=code_id,
        )

    def create_oauth2_request(self, request: Any) -> _Request:
        return request if isinstance(request, _Request) else _Request(request)

    def handle_response(
        self, status: int, body: dict[str, Any] | str, headers: list[tuple[str, str]]
    ) -> OAuthResponse:
        return OAuthResponse(status, body, list(headers))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """Authlib announces events here; nothing listens."""
