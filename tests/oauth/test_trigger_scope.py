"""The trigger API with an OAuth application's token, as the seed describes: the app needs
the scope "SuccessPlays: Trigger manual SuccessPlays", and the user it acts as must still be
a SERVICE_ADMIN."""

from __future__ import annotations

import httpx

from playrunner.auth.scopes import TRIGGER_MANUAL
from playrunner.db import Database
from playrunner.models import UserRole
from playrunner.users import service as users_service
from tests.oauth.helpers import (
    REDIRECT_URI,
    TRIGGER,
    OAuthWorld,
    consent,
    new_code_verifier,
)
from tests.worlds import body, trigger

SCOPE_MESSAGE = (
    "The application's token lacks the scope successplays:trigger_manual"
    " (SuccessPlays: Trigger manual SuccessPlays)"
)


def test_an_app_with_the_scope_runs_the_play_with_the_seeds_curl(
    oauth: OAuthWorld, http: httpx.Client
) -> None:
    token = oauth.client_credentials_token(oauth.machine_app([TRIGGER_MANUAL]))

    response = trigger(http, token, body(oauth.world.play, "acme"))

    assert (response.status_code, response.text) == (200, "Success")
    assert response.headers["x-run-id"]


def test_bearer_works_as_well_as_app_token(oauth: OAuthWorld, http: httpx.Client) -> None:
    token = oauth.client_credentials_token(oauth.machine_app([TRIGGER_MANUAL]))
    response = http.post(
        TRIGGER,
        json=body(oauth.world.play, "acme"),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert (response.status_code, response.text) == (200, "Success")


def test_a_token_without_the_scope_gets_403_naming_it(
    oauth: OAuthWorld, http: httpx.Client
) -> None:
    token = oauth.client_credentials_token(oauth.machine_app(["successplays:read"]))

    response = trigger(http, token, body(oauth.world.play, "acme"))

    assert (response.status_code, response.text) == (403, SCOPE_MESSAGE)


def test_the_scope_is_checked_before_the_role(oauth: OAuthWorld, http: httpx.Client) -> None:
    app = oauth.machine_app(["accounts:read"], acting_user=oauth.world.user)
    token = oauth.client_credentials_token(app)
    response = trigger(http, token, body(oauth.world.play, "acme"))
    assert (response.status_code, response.text) == (403, SCOPE_MESSAGE)


def test_a_client_credentials_app_whose_user_was_demoted_gets_the_documented_403(
    oauth: OAuthWorld, http: httpx.Client, database: Database
) -> None:
    acting = oauth.factory.admin(oauth.world.tenant)
    token = oauth.client_credentials_token(oauth.machine_app([TRIGGER_MANUAL], acting_user=acting))
    assert trigger(http, token, body(oauth.world.play, "acme")).status_code == 200
    with database.session() as session:
        users_service.set_role(session, acting.tenant_id, acting.email, UserRole.USER)

    response = trigger(http, token, body(oauth.world.play, "acme"))

    assert (response.status_code, response.text) == (
        403,
        "User is not authorized with role: SERVICE_ADMIN",
    )


def test_an_authorization_code_token_acts_as_the_user_who_allowed_it(
    oauth: OAuthWorld, browser: httpx.Client, http: httpx.Client
) -> None:
    app = oauth.web_app([TRIGGER_MANUAL])
    tokens = {}
    for user in (oauth.world.admin, oauth.world.user):
        verifier = new_code_verifier()
        with oauth.client(
            app, redirect_uri=REDIRECT_URI, scope=TRIGGER_MANUAL, code_challenge_method="S256"
        ) as client:
            url, _ = client.create_authorization_url(
                oauth.url("/oauth/authorize"), code_verifier=verifier
            )
            answer = consent(browser, url, email=user.email)
            token = client.fetch_token(
                oauth.url("/oauth/token"),
                authorization_response=answer.headers["location"],
                code_verifier=verifier,
            )
        tokens[user.email] = token["access_token"]

    by_admin = trigger(http, tokens[oauth.world.admin.email], body(oauth.world.play, "acme"))
    by_user = trigger(http, tokens[oauth.world.user.email], body(oauth.world.play, "acme"))

    assert (by_admin.status_code, by_admin.text) == (200, "Success")
    assert (by_user.status_code, by_user.text) == (
        403,
        "User is not authorized with role: SERVICE_ADMIN",
    )
