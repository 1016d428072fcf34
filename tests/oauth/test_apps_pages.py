"""OAuth applications in the admin console: register one (its secret shown once), get a token
with it, rotate the secret, delete the application."""

from __future__ import annotations

import re

from tests.pages import post_form
from tests.worlds import PagesWorld


def test_a_client_credentials_app_is_registered_and_gets_a_token(pages: PagesWorld) -> None:
    admin = pages.signed_in(pages.admin)
    fields = {
        "name": "Salesforce",
        "grant_types": "client_credentials",
        "scopes": "successplays:trigger_manual",
        "acting_user": pages.admin.email,
        "redirect_uris": "",
        "access_token_lifetime": "3600",
    }
    page = post_form(admin, "/apps", "/apps", fields)
    assert page.status_code == 200
    client_id = re.search(r'<code id="client-id">(prapp_\w+)</code>', page.text)
    secret = re.search(r'<pre id="client-secret">(prcs_\w+)</pre>', page.text)
    assert client_id is not None
    assert secret is not None
    assert "SuccessPlays: Trigger manual SuccessPlays" in page.text
    app = pages.browser()
    token = app.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id.group(1), secret.group(1)),
    )
    assert token.status_code == 200, token.text
    assert token.json()["access_token"].startswith("proat_")

    app_url = re.search(r'action="(/apps/[0-9a-f-]+)"', page.text)
    assert app_url is not None
    rotated = post_form(admin, app_url.group(1), app_url.group(1), {"do": "rotate"})
    new_secret = re.search(r'<pre id="client-secret">(prcs_\w+)</pre>', rotated.text)
    assert new_secret is not None
    assert new_secret.group(1) != secret.group(1)
    old = app.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id.group(1), secret.group(1)),
    )
    assert old.status_code == 401
    deleted = post_form(admin, app_url.group(1), app_url.group(1), {"do": "delete"})
    assert deleted.status_code == 303
    assert "No applications yet" in admin.get("/apps").text


def test_a_bad_registration_names_its_field(pages: PagesWorld) -> None:
    admin = pages.signed_in(pages.admin)
    refused = post_form(admin, "/apps", "/apps", {"name": "X", "grant_types": "client_credentials"})
    assert refused.status_code == 400
    assert 'id="scopes-error"' in refused.text
