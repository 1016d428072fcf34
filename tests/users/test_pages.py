"""Users in the admin console: invitations (a one-time link, or a password set now), admin or
not (never the last admin), deactivation; and the invitation's own page."""

from __future__ import annotations

import re

from tests.pages import PASSWORD, hidden_fields, post_form, sign_in
from tests.worlds import PagesWorld


def test_an_invitation_link_sets_a_password_once(pages: PagesWorld) -> None:
    admin = pages.signed_in(pages.admin)
    invited = post_form(
        admin,
        "/users",
        "/users",
        {"email": "Newcomer@Example.com", "name": "New Comer", "how": "link"},
    )
    assert invited.status_code == 200
    link = re.search(
        r'<pre id="password-link">https?://[^/]+(/set-password/prpwl_\w+)</pre>', invited.text
    )
    assert link is not None
    assert "newcomer@example.com" in invited.text  # stored as emails are

    newcomer = pages.browser()
    page = newcomer.get(link.group(1))
    assert "Set your password" in page.text
    differ = newcomer.post(
        link.group(1), data={**hidden_fields(page.text), "password": PASSWORD, "again": "other"}
    )
    assert "The two passwords differ." in differ.text
    short = newcomer.post(
        link.group(1), data={**hidden_fields(differ.text), "password": "short", "again": "short"}
    )
    assert "at least 12 characters" in short.text
    done = newcomer.post(
        link.group(1), data={**hidden_fields(short.text), "password": PASSWORD, "again": PASSWORD}
    )
    assert (done.status_code, done.headers["location"]) == (303, "/sign-in?password=set")
    assert sign_in(newcomer, "newcomer@example.com").status_code == 303
    # The link worked once.
    assert pages.browser().get(link.group(1)).status_code == 404


def test_a_password_set_by_the_admin(pages: PagesWorld) -> None:
    admin = pages.signed_in(pages.admin)
    fields = {"email": "a@example.com", "name": "A", "how": "password", "password": PASSWORD}
    assert post_form(admin, "/users", "/users", fields).status_code == 200
    assert sign_in(pages.browser(), "a@example.com").status_code == 303
    refused = post_form(admin, "/users", "/users", {**fields, "email": "a@example.com"})
    assert refused.status_code == 409
    assert "already exists" in refused.text


def test_admin_rights_and_deactivation_with_the_last_admin_guard(pages: PagesWorld) -> None:
    admin = pages.signed_in(pages.admin)
    me = f"/users/{pages.admin.id}"
    refused = post_form(admin, me, me, {"do": "unmake_admin"})
    assert refused.status_code == 409
    assert "last active SERVICE_ADMIN" in refused.text
    them = f"/users/{pages.csm.id}"
    assert post_form(admin, them, them, {"do": "make_admin"}).status_code == 303
    assert ">Admin<" in pages.signed_in(pages.csm).get("/my-work").text
    csm = pages.signed_in(pages.csm)
    assert post_form(admin, them, them, {"do": "deactivate"}).status_code == 303
    assert csm.get("/my-work").status_code == 303  # signed out at once
