"""The sign-in and consent page in a real browser: what a user sees, a wrong password, Allow
and Deny, and the app finishing the authorization code grant with what the browser brought
back to its redirect URI."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
from playwright.sync_api import Page, Route

from playrunner.auth.scopes import TRIGGER_MANUAL
from tests.oauth.helpers import REDIRECT_URI, OAuthWorld, new_code_verifier
from tests.pages import PASSWORD
from tests.worlds import body, trigger


class AppCallback:
    """The app's redirect URI, answered inside the browser: records where the browser was sent."""

    def __init__(self, page: Page) -> None:
        self.urls: list[str] = []
        page.route(REDIRECT_URI + "*", self._answer)

    def _answer(self, route: Route) -> None:
        self.urls.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<h1>Back at the app</h1>")

    def query(self) -> dict[str, str]:
        assert len(self.urls) == 1, self.urls
        return {name: values[0] for name, values in parse_qs(urlsplit(self.urls[0]).query).items()}


def test_a_user_signs_in_allows_and_the_app_triggers_a_play_as_them(
    oauth: OAuthWorld, page: Page, http: httpx.Client
) -> None:
    app = oauth.web_app([TRIGGER_MANUAL])
    admin = oauth.world.admin
    verifier = new_code_verifier()
    callback = AppCallback(page)
    with oauth.client(
        app, redirect_uri=REDIRECT_URI, scope=TRIGGER_MANUAL, code_challenge_method="S256"
    ) as client:
        url, state = client.create_authorization_url(
            oauth.url("/oauth/authorize"), code_verifier=verifier
        )
        page.goto(url)
        assert page.get_by_role("heading").inner_text() == "Integration wants to act as you"
        assert "SuccessPlays: Trigger manual SuccessPlays" in page.locator("li").inner_text()

        page.get_by_label("Email").fill(admin.email)
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Allow").click()
        assert page.get_by_role("alert").inner_text() == "Wrong email or password."
        assert page.get_by_label("Email").input_value() == admin.email
        assert callback.urls == []

        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Allow").click()
        page.wait_for_url(REDIRECT_URI + "*")
        answer = callback.query()
        assert answer["state"] == state
        token = client.fetch_token(
            oauth.url("/oauth/token"),
            authorization_response=callback.urls[0],
            code_verifier=verifier,
        )

    response = trigger(http, token["access_token"], body(oauth.world.play, "acme"))
    assert (response.status_code, response.text) == (200, "Success")


def test_deny_sends_the_browser_back_with_access_denied(oauth: OAuthWorld, page: Page) -> None:
    app = oauth.web_app([TRIGGER_MANUAL])
    callback = AppCallback(page)
    with oauth.client(
        app, redirect_uri=REDIRECT_URI, scope=TRIGGER_MANUAL, code_challenge_method="S256"
    ) as client:
        url, state = client.create_authorization_url(
            oauth.url("/oauth/authorize"), code_verifier=new_code_verifier()
        )

    page.goto(url)
    page.get_by_role("button", name="Deny").click()
    page.wait_for_url(REDIRECT_URI + "*")

    answer = callback.query()
    assert (answer["error"], answer["state"]) == ("access_denied", state)
    assert "code" not in answer


def test_an_unknown_app_gets_an_error_page_not_a_redirect(oauth: OAuthWorld, page: Page) -> None:
    callback = AppCallback(page)
    page.goto(
        oauth.url("/oauth/authorize")
        + "?response_type=code&client_id=prapp_unknown&redirect_uri="
        + REDIRECT_URI
    )
    assert (
        page.get_by_role("heading").inner_text() == "This authorization request cannot be completed"
    )
    assert page.get_by_role("alert").inner_text()
    assert callback.urls == []
