"""My tokens: create one with Totango's expiry choices (shown once), rename, revoke; a revoked
token gets 401 from the API."""

from __future__ import annotations

import re

from tests.pages import post_form
from tests.worlds import PagesWorld


def test_a_token_is_shown_once_works_and_is_revoked(pages: PagesWorld) -> None:
    browser = pages.signed_in(pages.csm)
    created = post_form(browser, "/tokens", "/tokens", {"name": "laptop", "expires": "30d"})
    secret = re.search(r'<pre id="new-token">(prpat_\w+)</pre>', created.text)
    assert secret is not None
    api = pages.browser()
    assert api.get("/api/v1/users/me", headers={"app-token": secret.group(1)}).status_code == 200
    listing = browser.get("/tokens").text
    assert secret.group(1) not in listing  # shown once
    token_id = re.search(r'action="/tokens/([0-9a-f-]+)"', listing)
    assert token_id is not None
    url = f"/tokens/{token_id.group(1)}"
    assert (
        post_form(browser, "/tokens", url, {"do": "rename", "name": "old laptop"}).status_code
        == 303
    )
    assert 'value="old laptop"' in browser.get("/tokens").text
    assert post_form(browser, "/tokens", url, {"do": "revoke"}).status_code == 303
    assert "Revoked" in browser.get("/tokens").text
    assert api.get("/api/v1/users/me", headers={"app-token": secret.group(1)}).status_code == 401


def test_expiry_choices_and_a_bad_date(pages: PagesWorld) -> None:
    browser = pages.signed_in(pages.csm)
    never = post_form(browser, "/tokens", "/tokens", {"name": "ci", "expires": "never"})
    assert "Token ci created" in never.text
    dated = post_form(
        browser,
        "/tokens",
        "/tokens",
        {"name": "d", "expires": "custom", "expires_on": "2099-01-31"},
    )
    assert "Token d created" in dated.text
    bad = post_form(
        browser,
        "/tokens",
        "/tokens",
        {"name": "x", "expires": "custom", "expires_on": "2001-01-01"},
    )
    assert bad.status_code == 400
    assert 'id="expires_on-error"' in bad.text
