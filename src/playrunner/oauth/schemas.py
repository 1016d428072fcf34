"""OAuth applications as the API accepts and shows them. The client secret appears once, in
the answer that creates the app or rotates its secret; only its hash is stored."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from playrunner.models import DEFAULT_ACCESS_TOKEN_LIFETIME, GrantType
from playrunner.validation import EmailAddress, Name, StrictModel

ScopeName = Annotated[str, Field(min_length=1, max_length=100, examples=["accounts:read"])]
RedirectUri = Annotated[
    str, Field(min_length=1, max_length=2000, examples=["https://crm.example.com/oauth/callback"])
]
Lifetime = Annotated[
    int,
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
