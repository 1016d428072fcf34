"""The authorization code grant with PKCE (S256) and refresh tokens, end to end over real
HTTP: Authlib's httpx client on the app's side, a cookie-keeping httpx client as the browser
on the login and consent page."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import time_machine
from authlib.integrations.base_client import OAuthError  # type: ignore[import-untyped]

from playrunner.app import create_app
from playrunner.config import Settings
from playrunner.db import Database
from playrunner.models import GrantType
from playrunner.oauth import service as oauth_service
from playrunner.oauth.schemas import AppPatch
from playrunner.users import service as users_service
from tests.factories import Factory
from tests.live_server import LiveServer
from tests.oauth.helpers import (
    REDIRECT_URI,
    OAuthWorld,
    RegisteredApp,
    consent,
    new_code_verifier,
)
from tests.pages import PASSWORD, hidden_fields
from tests.worlds import problem

SCOPES = ["accounts:read", "users:read"]


@contextmanager
def web_client(oauth: OAuthWorld, app: RegisteredApp, **kwargs: Any) -> Iterator[Any]:
    options: dict[str, Any] = {
        "redirect_uri": REDIRECT_URI,
        "scope": " ".join(SCOPES),
        "code_challenge_method": "S256",
        **kwargs,
    }
    with oauth.client(app, **options) as client:
        yield client


def query(location: str) -> dict[str, str]:
    assert location.startswith(REDIRECT_URI + "?"), location
    return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}


def authorize(
    oauth: OAuthWorld,
    browser: httpx.Client,
    client: Any,
    verifier: str | None,
    **kwargs: Any,
) -> tuple[str, str]:
    """The user signs in and allows; returns the redirect back to the app and the state."""
    url, state = client.create_authorization_url(
        oauth.url("/oauth/authorize"), code_verifier=verifier
    )
    answer = consent(browser, url, email=kwargs.get("email", oauth.world.user.email))
    assert answer.status_code == 302, answer.text
    return answer.headers["location"], state


def test_a_user_signs_in_allows_and_the_app_acts_as_them(
    oauth: OAuthWorld, browser: httpx.Client
) -> None:
    app = oauth.web_app(SCOPES)
    verifier = new_code_verifier()
    with web_client(oauth, app) as client:
        location, state = authorize(oauth, browser, client, verifier)
        assert query(location)["state"] == state
        assert query(location)["code"].startswith("prac_")
        token = client.fetch_token(
            oauth.url("/oauth/token"), authorization_response=location, code_verifier=verifier
        )
        me = client.get(oauth.url("/api/v1/users/me"))

    assert token["token_type"] == "Bearer"
    assert token["scope"] == "accounts:read users:read"
    assert token["refresh_token"].startswith("prort_")
    assert me.status_code == 200, me.text
    assert me.json()["email"] == oauth.world.user.email


def test_pkce_failure_with_the_wrong_verifier_is_invalid_grant(
    oauth: OAuthWorld, browser: httpx.Client
) -> None:
    app = oauth.web_app(SCOPES)
    with web_client(oauth, app) as client:
        location, _ = authorize(oauth, browser, client, new_code_verifier())
        with pytest.raises(OAuthError) as refused:
            client.fetch_token(
                oauth.url("/oauth/token"),
                authorization_response=location,
                code_verifier=new_code_verifier(),
            )
        assert refused.value.error == "invalid_grant"
        with pytest.raises(OAuthError) as missing:
            client.fetch_token(oauth.url("/oauth/token"), authorization_response=location)
        assert missing.value.error == "invalid_request"


def test_pkce_is_required_and_only_s256(oauth: OAuthWorld, browser: httpx.Client) -> None:
    app = oauth.web_app(SCOPES)
    with web_client(oauth, app) as client:
        without, state = client.create_authorization_url(oauth.url("/oauth/authorize"))
        plain, _ = client.create_authorization_url(
            oauth.url("/oauth/authorize"),
            code_challenge="a" * 43,
            code_challenge_method="plain",
        )
    for url in (without, plain):
        answer = browser.get(url)
        assert answer.status_code == 302
        assert query(answer.headers["location"])["error"] == "invalid_request"
    assert query(browser.get(without).headers["location"])["state"] == state


def test_a_code_is_used_once_and_a_second_use_revokes_the_first_token(
    oauth: OAuthWorld, browser: httpx.Client, http: httpx.Client
) -> None:
    app = oauth.web_app(SCOPES)
    verifier = new_code_verifier()
    with web_client(oauth, app) as client:
        location, _ = authorize(oauth, browser, client, verifier)
        token = client.fetch_token(
            oauth.url("/oauth/token"), authorization_response=location, code_verifier=verifier
        )
        with pytest.raises(OAuthError) as again:
            client.fetch_token(
                oauth.url("/oauth/token"), authorization_response=location, code_verifier=verifier
            )
    assert again.value.error == "invalid_grant"
    response = http.get("/api/v1/accounts", headers={"app-token": token["access_token"]})
    assert problem(response, 401)["detail"] == "Token has been revoked"


def test_a_code_redeemed_by_many_requests_at_once_gives_one_token(
    oauth: OAuthWorld, browser: httpx.Client
) -> None:
    app = oauth.web_app(SCOPES)
    verifier = new_code_verifier()
    with web_client(oauth, app) as client:
        location, _ = authorize(oauth, browser, client, verifier)
    form = {
        "grant_type": "authorization_code",
        "code": query(location)["code"],
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
    }
    start = threading.Barrier(8)

    def redeem(_: int) -> int:
        with httpx.Client(timeout=30, auth=(app.client_id, app.client_secret)) as http:
            start.wait()
            return http.post(oauth.url("/oauth/token"), data=form).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = sorted(pool.map(redeem, range(8)))

    assert statuses == [200] + [400] * 7


def test_an_expired_code_is_invalid_grant(oauth: OAuthWorld, browser: httpx.Client) -> None:
    app = oauth.web_app(SCOPES)
    verifier = new_code_verifier()
    start = datetime.now(UTC)
    with web_client(oauth, app) as client, time_machine.travel(start, tick=False) as traveller:
        location, _ = authorize(oauth, browser, client, verifier)
        traveller.shift(timedelta(minutes=10, seconds=1))
        with pytest.raises(OAuthError) as refused:
            client.fetch_token(
                oauth.url("/oauth/token"), authorization_response=location, code_verifier=verifier
            )
    assert refused.value.error == "invalid_grant"


def test_refresh_gives_a_new_pair_and_a_reused_refresh_token_revokes_them(
    oauth: OAuthWorld, browser: httpx.Client, http: httpx.Client
) -> None:
    app = oauth.web_app(SCOPES)
    verifier = new_code_verifier()
    with web_client(oauth, app) as client:
        location, _ = authorize(oauth, browser, client, verifier)
        first = dict(
            client.fetch_token(
                oauth.url("/oauth/token"), authorization_response=location, code_verifier=verifier
            )
        )
        second = dict(client.refresh_token(oauth.url("/oauth/token")))
        assert second["access_token"] != first["access_token"]
        assert second["refresh_token"] != first["refresh_token"]
        assert second["scope"] == first["scope"]

        def status(token: dict[str, Any]) -> int:
            headers = {"Authorization": f"Bearer {token['access_token']}"}
            return http.get("/api/v1/accounts", headers=headers).status_code

        assert (status(first), status(second)) == (401, 200)
        with pytest.raises(OAuthError) as reused:
            client.refresh_token(oauth.url("/oauth/token"), refresh_token=first["refresh_token"])
        assert reused.value.error == "invalid_grant"
    # Someone replayed an old refresh token: the whole authorization is withdrawn.
    assert status(second) == 401


def test_a_reused_refresh_token_is_caught_after_the_code_itself_is_long_expired(
    oauth: OAuthWorld, browser: httpx.Client, http: httpx.Client
) -> None:
    app = oauth.web_app(SCOPES)
    verifier = new_code_verifier()
    start = datetime.now(UTC)
    with web_client(oauth, app) as client, time_machine.travel(start, tick=False) as traveller:
        location, _ = authorize(oauth, browser, client, verifier)
        client.fetch_token(
            oauth.url("/oauth/token"), authorization_response=location, code_verifier=verifier
        )
        old = dict(client.refresh_token(oauth.url("/oauth/token")))
        traveller.shift(timedelta(days=3))
        new = dict(client.refresh_token(oauth.url("/oauth/token")))
        # Another sign-in: storing its code clears out codes expired long ago.
        other_verifier = new_code_verifier()
        authorize(oauth, browser, client, other_verifier)

        with pytest.raises(OAuthError) as reused:
            client.refresh_token(oauth.url("/oauth/token"), refresh_token=old["refresh_token"])
        headers = {"Authorization": f"Bearer {new['access_token']}"}
        status = http.get("/api/v1/accounts", headers=headers).status_code
    assert reused.value.error == "invalid_grant"
    assert status == 401


def test_a_refresh_may_narrow_the_scope_but_not_widen_it(
    oauth: OAuthWorld, browser: httpx.Client
) -> None:
    app = oauth.web_app([*SCOPES, "tasks:read"])
    verifier = new_code_verifier()
    with web_client(oauth, app) as client:
        location, _ = authorize(oauth, browser, client, verifier)
        client.fetch_token(
            oauth.url("/oauth/token"), authorization_response=location, code_verifier=verifier
        )
        with pytest.raises(OAuthError) as wider:
            client.refresh_token(oauth.url("/oauth/token"), scope="tasks:read")
        assert wider.value.error == "invalid_scope"
        narrower = client.refresh_token(oauth.url("/oauth/token"), scope="users:read")
    assert narrower["scope"] == "users:read"


def test_a_refresh_never_gains_scopes_the_app_has_since_lost(
    oauth: OAuthWorld, browser: httpx.Client, database: Database
) -> None:
    app = oauth.web_app(["users:read", "accounts:read", "successplays:trigger_manual"])
    verifier = new_code_verifier()
    with web_client(oauth, app, scope="users:read") as client:
        location, _ = authorize(oauth, browser, client, verifier)
        client.fetch_token(
            oauth.url("/oauth/token"), authorization_response=location, code_verifier=verifier
        )
        with database.session() as session:
            oauth_service.update_app(
                session,
                oauth.world.tenant.id,
                uuid.UUID(app.id),
                AppPatch(scopes=["accounts:read", "successplays:trigger_manual"]),
            )
        with pytest.raises(OAuthError) as refused:
            client.refresh_token(oauth.url("/oauth/token"))
        assert refused.value.error == "invalid_scope"
        with pytest.raises(OAuthError) as again:
            client.refresh_token(oauth.url("/oauth/token"), scope="")
    assert again.value.error == "invalid_scope"


def test_revoking_the_refresh_token_revokes_its_access_token(
    oauth: OAuthWorld, browser: httpx.Client, http: httpx.Client
) -> None:
    app = oauth.web_app(SCOPES)
    verifier = new_code_verifier()
    with web_client(oauth, app) as client:
        location, _ = authorize(oauth, browser, client, verifier)
        token = client.fetch_token(
            oauth.url("/oauth/token"), authorization_response=location, code_verifier=verifier
        )
        answer = client.revoke_token(
            oauth.url("/oauth/revoke"),
            token=token["refresh_token"],
            token_type_hint="refresh_token",
        )
        assert answer.status_code == 200
        with pytest.raises(OAuthError):
            client.refresh_token(oauth.url("/oauth/token"))
    response = http.get("/api/v1/accounts", headers={"app-token": token["access_token"]})
    assert problem(response, 401)["detail"] == "Token has been revoked"


def test_without_the_refresh_grant_there_is_no_refresh_token(
    oauth: OAuthWorld, browser: httpx.Client
) -> None:
    app = oauth.web_app(SCOPES, refresh=False)
    verifier = new_code_verifier()
    with web_client(oauth, app) as client:
        location, _ = authorize(oauth, browser, client, verifier)
        token = client.fetch_token(
            oauth.url("/oauth/token"), authorization_response=location, code_verifier=verifier
        )
    assert "refresh_token" not in token


def test_denying_sends_access_denied_back_to_the_app(
    oauth: OAuthWorld, browser: httpx.Client
) -> None:
    app = oauth.web_app(SCOPES)
    with web_client(oauth, app) as client:
        url, state = client.create_authorization_url(
            oauth.url("/oauth/authorize"), code_verifier=new_code_verifier()
        )
    answer = consent(browser, url, email="", password="", decision="deny")
    assert answer.status_code == 302
    assert query(answer.headers["location"]) == {
        "error": "access_denied",
        "error_description": "The resource owner or authorization server denied the request",
        "state": state,
    }


class TestTheLoginAndConsentPage:
    @pytest.fixture
    def url(self, oauth: OAuthWorld) -> str:
        app = oauth.web_app(SCOPES)
        with web_client(oauth, app) as client:
            url, _ = client.create_authorization_url(
                oauth.url("/oauth/authorize"), code_verifier=new_code_verifier()
            )
        return str(url)

    def test_shows_the_app_and_the_scopes_with_their_labels(
        self, browser: httpx.Client, url: str
    ) -> None:
        page = browser.get(url)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "Integration wants to act as you" in page.text
        assert "Accounts: Read accounts and account roles" in page.text
        assert "Users: Read users" in page.text
        assert page.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert page.headers["cache-control"] == "no-store"
        cookie = page.headers["set-cookie"].lower()
        assert "httponly" in cookie
        assert "samesite=strict" in cookie
        assert "path=/oauth/authorize" in cookie

    @pytest.mark.parametrize(
        ("email", "password"),
        [("right", "wrong password!"), ("nobody@example.com", PASSWORD), ("", "")],
    )
    def test_a_wrong_email_or_password_shows_the_form_again(
        self, oauth: OAuthWorld, browser: httpx.Client, url: str, email: str, password: str
    ) -> None:
        email = oauth.world.user.email if email == "right" else email
        answer = consent(browser, url, email=email, password=password)
        assert answer.status_code == 200
        assert "Wrong email or password." in answer.text
        assert "location" not in answer.headers
        # The form still works afterwards.
        form = hidden_fields(answer.text)
        form.update(email=oauth.world.user.email, password=PASSWORD, decision="allow")
        assert browser.post("/oauth/authorize", data=form).status_code == 302

    def test_a_user_without_a_password_cannot_sign_in(
        self, oauth: OAuthWorld, browser: httpx.Client, url: str
    ) -> None:
        answer = consent(browser, url, email=oauth.world.csm.email)
        assert "Wrong email or password." in answer.text

    def test_a_user_of_another_service_cannot_sign_in(
        self, oauth: OAuthWorld, browser: httpx.Client, url: str
    ) -> None:
        stranger = oauth.factory.admin(oauth.factory.tenant())
        oauth.set_password(stranger)
        answer = consent(browser, url, email=stranger.email)
        assert "Wrong email or password." in answer.text

    def test_a_deactivated_user_cannot_sign_in(
        self, oauth: OAuthWorld, browser: httpx.Client, url: str, database: Database
    ) -> None:
        user = oauth.world.user
        with database.session() as session:
            users_service.set_active(session, user.tenant_id, user.email, False)
        answer = consent(browser, url, email=user.email)
        assert "This user is deactivated." in answer.text

    def test_a_form_without_the_csrf_cookie_is_refused(
        self, oauth: OAuthWorld, browser: httpx.Client, url: str
    ) -> None:
        page = browser.get(url)
        form = hidden_fields(page.text)
        form.update(email=oauth.world.user.email, password=PASSWORD, decision="allow")
        with httpx.Client(base_url=oauth.base_url) as forger:  # another site: no cookie
            forged = forger.post("/oauth/authorize", data=form)
        assert forged.status_code == 400
        assert "has expired or was not sent from this page" in forged.text
        form["csrf_token"] = "guessed"
        assert browser.post("/oauth/authorize", data=form).status_code == 400

    def test_the_app_name_is_escaped(self, oauth: OAuthWorld, browser: httpx.Client) -> None:
        app = oauth.register(
            GrantType.AUTHORIZATION_CODE,
            scopes=SCOPES,
            redirect_uris=[REDIRECT_URI],
            name='<script>alert("x")</script>',
        )
        with web_client(oauth, app) as client:
            url, _ = client.create_authorization_url(
                oauth.url("/oauth/authorize"), code_verifier=new_code_verifier()
            )
        page = browser.get(url)
        assert "<script>" not in page.text
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"client_id": "prapp_nobody"}, "The client does not exist on this server."),
            (
                {"redirect_uri": "https://evil.example/cb"},
                "Redirect URI https://evil.example/cb is not supported by client.",
            ),
            ({"client_id": None}, "Missing 'client_id' parameter."),
        ],
    )
    def test_requests_that_cannot_go_back_to_the_app_are_answered_on_the_page(
        self,
        browser: httpx.Client,
        url: str,
        change: dict[str, str | None],
        message: str,
    ) -> None:
        parts = urlsplit(url)
        params = {k: v[0] for k, v in parse_qs(parts.query).items()}
        for name, value in change.items():
            if value is None:
                params.pop(name)
            else:
                params[name] = value
        answer = browser.get("/oauth/authorize", params=params)
        assert answer.status_code == 400
        assert "location" not in answer.headers
        assert message.replace("'", "&#39;") in answer.text

    def test_a_scope_the_app_was_not_given_goes_back_as_invalid_scope(
        self, browser: httpx.Client, url: str
    ) -> None:
        answer = browser.get(url.replace("scope=accounts", "scope=tasks%3Awrite+accounts"))
        assert answer.status_code == 302
        assert query(answer.headers["location"])["error"] == "invalid_scope"

    def test_malformed_input_is_a_400_page_not_a_500(self, browser: httpx.Client, url: str) -> None:
        assert browser.get(url + "&state=%00").status_code == 400
        weird = browser.get(url.replace("redirect_uri=", "redirect_uri=%22%C3%A9"))
        assert weird.status_code == 400
        posted = browser.post(
            "/oauth/authorize",
            content=b"email=%ff",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert posted.status_code == 400


def test_guessing_passwords_is_limited_per_address_as_well_as_per_email(
    database_url: str, factory: Factory, database: Database
) -> None:
    app = create_app(Settings(database_url=database_url, rate_limit="3/minute"))
    with LiveServer(app) as live, httpx.Client(base_url=live.url) as browser:
        oauth = OAuthWorld(factory, database, live.url)
        web = oauth.web_app(SCOPES)
        with web_client(oauth, web) as client:
            url, _ = client.create_authorization_url(
                oauth.url("/oauth/authorize"), code_verifier=new_code_verifier()
            )
        guesses = [
            consent(browser, url, email=f"guess-{n}@example.com", password="not it")
            for n in range(3)
        ]
        # The right password, but from an address that has used up its attempts.
        blocked = consent(browser, url, email=oauth.world.user.email)

    assert [g.status_code for g in guesses] == [200, 200, 200]
    assert all("Wrong email or password." in g.text for g in guesses)
    assert blocked.status_code == 429
    assert "Too many sign-in attempts" in blocked.text
