"""OAuth test worlds: the trigger API's world plus registered applications, and a standard
OAuth client (Authlib's httpx client) pointed at a live server."""

from __future__ import annotations

import secrets
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.deprecate import AuthlibDeprecationWarning  # type: ignore[import-untyped]

from playrunner.db import Database
from playrunner.models import GrantType, User
from playrunner.oauth import service as oauth_service
from playrunner.oauth.schemas import AppCreate
from playrunner.users import service as users_service
from tests.factories import Factory
from tests.pages import PASSWORD, hidden_fields
from tests.worlds import ServiceWorld

with warnings.catch_warnings():
    # Authlib prefers the httpx2 package now; httpx is what this project uses.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client  # type: ignore[import-untyped]

REDIRECT_URI = "http://127.0.0.1:9/callback"
TRIGGER = "/api/v2/automations/run-manual-successplay"


@dataclass(frozen=True)
class RegisteredApp:
    id: str
    client_id: str
    client_secret: str


class OAuthWorld:
    """One service (see ``ServiceWorld``) whose users have passwords, and a way to register apps."""

    def __init__(self, factory: Factory, database: Database, base_url: str) -> None:
        self.world = ServiceWorld(factory)
        self.factory = factory
        self.database = database
        self.base_url = base_url
        for user in (self.world.admin, self.world.user):
            self.set_password(user)

    def set_password(self, user: User, password: str = PASSWORD) -> None:
        with self.database.session() as session:
            users_service.set_password(session, user.tenant_id, user.email, password)

    def register(
        self,
        *grants: GrantType,
        scopes: list[str],
        acting_user: User | None = None,
        redirect_uris: list[str] | None = None,
        name: str = "Integration",
        lifetime: int = 3600,
    ) -> RegisteredApp:
        spec = AppCreate(
            name=name,
            grant_types=list(grants),
            scopes=scopes,
            acting_user=acting_user.email if acting_user is not None else None,
            redirect_uris=redirect_uris or [],
            access_token_lifetime=lifetime,
        )
        with self.database.session() as session:
            issued = oauth_service.create_app(session, self.world.tenant.id, spec)
        return RegisteredApp(str(issued.app.id), issued.app.client_id, issued.secret)

    def machine_app(self, scopes: list[str], acting_user: User | None = None) -> RegisteredApp:
        """A client-credentials app acting as the admin (or ``acting_user``)."""
        return self.register(
            GrantType.CLIENT_CREDENTIALS,
            scopes=scopes,
            acting_user=acting_user or self.world.admin,
        )

    def web_app(self, scopes: list[str], *, refresh: bool = True) -> RegisteredApp:
        grants = [GrantType.AUTHORIZATION_CODE] + ([GrantType.REFRESH_TOKEN] if refresh else [])
        return self.register(*grants, scopes=scopes, redirect_uris=[REDIRECT_URI])

    def url(self, path: str) -> str:
        return self.base_url + path

    @contextmanager
    def client(self, app: RegisteredApp, **kwargs: Any) -> Iterator[Any]:
        """Authlib's OAuth 2.0 client for ``app``."""
        client = OAuth2Client(app.client_id, app.client_secret, timeout=30, **kwargs)
        try:
            yield client
        finally:
            client.close()

    def client_credentials_token(self, app: RegisteredApp, **kwargs: Any) -> str:
        with self.client(app) as client:
            token = client.fetch_token(
                self.url("/oauth/token"), grant_type="client_credentials", **kwargs
            )
        access_token: str = token["access_token"]
        return access_token


def new_code_verifier() -> str:
    return secrets.token_urlsafe(48)


def consent(
    browser: httpx.Client,
    authorization_url: str,
    *,
    email: str,
    password: str = PASSWORD,
    decision: str = "allow",
) -> httpx.Response:
    """Open the consent page as a browser would, sign in and answer it; the server's answer
    (normally a redirect back to the app) is returned without being followed."""
    page = browser.get(authorization_url)
    assert page.status_code == 200, page.text
    form = hidden_fields(page.text)
    form.update(email=email, password=password, decision=decision)
    return browser.post("/oauth/authorize", data=form)
