"""OAuth applications as the API accepts and shows them. The client secret appears once, in
the answer that creates the app or rotates its secret; only its hash is stored."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from playrunner.models import DEFAULT_ACCESS_TOKEN_LIFETIME, GrantType
from playrunner.validation import Count, EmailAddress, Name, StrictModel

ScopeName = Annotated[str, Field(min_length=1, max_length=100, examples=["accounts:read"])]
RedirectUri = Annotated[
    str, Field(min_length=1, max_length=2000, examples=["https://crm.example.com/oauth/callback"])
]
Lifetime = Annotated[
    Count,
    Field(
        ge=60,
        le=86400,
        description="Seconds an access token lives (60 to 86,400)",
        examples=[DEFAULT_ACCESS_TOKEN_LIFETIME],
    ),
]

GRANTS_DESCRIPTION = (
    "client_credentials (the app acts as acting_user), authorization_code (a user signs in and"
    " consents; needs redirect_uris and PKCE S256), refresh_token (with authorization_code)"
)
ACTING_USER_DESCRIPTION = "Email of the user client-credentials tokens act as"


class AppCreate(StrictModel):
    name: Name = Field(examples=["Salesforce button"])
    grant_types: list[GrantType] = Field(min_length=1, max_length=3, description=GRANTS_DESCRIPTION)
    scopes: list[ScopeName] = Field(
        min_length=1,
        max_length=50,
        description="Names from GET /api/v1/oauth/scopes",
        examples=[["successplays:trigger_manual"]],
    )
    redirect_uris: list[RedirectUri] = Field(
        default_factory=list,
        max_length=20,
        description="https URLs (http only for localhost and loopback addresses); exact match",
    )
    acting_user: EmailAddress | None = Field(default=None, description=ACTING_USER_DESCRIPTION)
    access_token_lifetime: Lifetime = DEFAULT_ACCESS_TOKEN_LIFETIME


class AppPatch(StrictModel):
    """Only the fields given change. Tokens of a grant type that is removed, and
    client-credentials tokens when the acting user changes, are revoked at once; a scope
    removed stops working at once for every token."""

    name: Name | None = Field(default=None, examples=["Salesforce button (EU)"])
    grant_types: list[GrantType] | None = Field(
        default=None, min_length=1, max_length=3, description=GRANTS_DESCRIPTION
    )
    scopes: list[ScopeName] | None = Field(
        default=None,
        min_length=1,
        max_length=50,
        examples=[["successplays:trigger_manual", "runs:read"]],
    )
    redirect_uris: list[RedirectUri] | None = Field(default=None, max_length=20)
    acting_user: EmailAddress | None = Field(
        default=None, description=ACTING_USER_DESCRIPTION + "; null clears it"
    )
    access_token_lifetime: Lifetime | None = None


class AppRead(BaseModel):
    id: uuid.UUID
    name: str
    client_id: str
    secret_hint: str = Field(description="The prefix and last four characters of the secret")
    grant_types: list[GrantType]
    scopes: list[str]
    redirect_uris: list[str]
    acting_user: str | None = Field(description=ACTING_USER_DESCRIPTION)
    access_token_lifetime: int
    created_at: datetime
    updated_at: datetime


class AppCreated(AppRead):
    client_secret: str = Field(description="Shown only now: store it somewhere safe.")


class ScopeRead(BaseModel):
    scope: str = Field(examples=["successplays:trigger_manual"])
    label: str = Field(examples=["SuccessPlays: Trigger manual SuccessPlays"])
    description: str
    operations: list[str] = Field(
        description="The API operations that need this scope, as METHOD /path",
        examples=[["POST /api/v2/automations/run-manual-successplay"]],
    )


# The protocol's answers (RFC 6749, 7009, 8414), as OAuth clients read them.


class TokenResponse(BaseModel):
    """RFC 6749 5.1: an access token, and a refresh token for the authorization code grant."""

    access_token: str = Field(examples=["proat_0123456789abcdefghijklmnopqrstuv1a2b3c"])
    token_type: Literal["Bearer"]
    expires_in: int = Field(description="Seconds the access token lives", examples=[3600])
    scope: str = Field(
        description="The scopes granted, space-separated", examples=["accounts:read runs:read"]
    )
    refresh_token: str | None = Field(
        default=None,
        description="Authorization code and refresh token grants only; use it once (it rotates)",
    )


class OAuthError(BaseModel):
    """RFC 6749 5.2: what went wrong, as OAuth client libraries read it."""

    error: str = Field(
        description="invalid_request, invalid_client, invalid_grant, unauthorized_client,"
        " unsupported_grant_type, invalid_scope or unsupported_token_type",
        examples=["invalid_client"],
    )
    error_description: str | None = Field(default=None, description="For the developer")
    error_uri: str | None = None


class Revoked(BaseModel):
    """RFC 7009 2.2: an empty object, whether the token was known or not."""

    model_config = ConfigDict(extra="forbid")


class AuthorizationServerMetadata(BaseModel):
    """RFC 8414: where the endpoints are and what this server supports."""

    issuer: str = Field(examples=["https://playrunner.example.com"])
    authorization_endpoint: str
    token_endpoint: str
    revocation_endpoint: str
    scopes_supported: list[str]
    response_types_supported: list[str] = Field(examples=[["code"]])
    response_modes_supported: list[str]
    grant_types_supported: list[GrantType]
    token_endpoint_auth_methods_supported: list[str]
    revocation_endpoint_auth_methods_supported: list[str]
    code_challenge_methods_supported: list[str] = Field(examples=[["S256"]])
    service_documentation: str


class TokenRequest(BaseModel):
    """RFC 6749 4.1.3, 4.4.2 and 6, as a form: what each grant sends to the token endpoint."""

    grant_type: GrantType
    scope: str | None = Field(
        default=None, description="Space-separated; none asks for all the app's scopes"
    )
    code: str | None = Field(default=None, description="authorization_code: the code received")
    redirect_uri: str | None = Field(default=None, description="authorization_code: as sent")
    code_verifier: str | None = Field(default=None, description="authorization_code: PKCE")
    refresh_token: str | None = Field(default=None, description="refresh_token: the last one")
    client_id: str | None = Field(default=None, description="client_secret_post, else Basic")
    client_secret: str | None = Field(default=None, description="client_secret_post")


class RevocationRequest(BaseModel):
    """RFC 7009 2.1, as a form."""

    token: str
    token_type_hint: Literal["access_token", "refresh_token"] | None = None
    client_id: str | None = Field(default=None, description="client_secret_post, else Basic")
    client_secret: str | None = Field(default=None, description="client_secret_post")
