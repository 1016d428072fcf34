"""Email settings in the web app, without a browser: everyone's own on /settings, the admins'
switch on /users; CSRF and refusals as on every page."""

from __future__ import annotations

from sqlalchemy import select

from playrunner.models import Tenant, User
from tests.pages import hidden_fields, post_form
from tests.worlds import PagesWorld


def own_setting(pages: PagesWorld, user: User) -> bool:
    with pages.database.session(read_only=True) as session:
        found = session.scalar(select(User.email_notifications).where(User.id == user.id))
    return bool(found)


def forced(pages: PagesWorld) -> bool:
    with pages.database.session(read_only=True) as session:
        found = session.scalar(
            select(Tenant.force_email_notifications).where(Tenant.id == pages.tenant.id)
        )
    return bool(found)


def test_a_user_turns_their_emails_off_and_on_from_settings(pages: PagesWorld) -> None:
    csm = pages.signed_in(pages.csm)
    page = csm.get("/my-work")
    assert '<a class="link-button" href="/settings">Settings</a>' in page.text
    settings = csm.get("/settings")
    assert settings.status_code == 200
    assert 'id="email_notifications" name="email_notifications" checked' in settings.text
    assert "This server sends no email yet" in settings.text

    # An unticked checkbox is not posted: off.
    off = post_form(csm, "/settings", "/settings", {})
    assert (off.status_code, off.headers["location"]) == (303, "/settings?saved=1")
    assert own_setting(pages, pages.csm) is False
    saved = csm.get("/settings?saved=1")
    assert "Saved." in saved.text
    assert 'name="email_notifications" checked' not in saved.text

    post_form(csm, "/settings", "/settings", {"email_notifications": "on"})
    assert own_setting(pages, pages.csm) is True


def test_settings_need_a_session_and_the_csrf_token(pages: PagesWorld) -> None:
    anonymous = pages.browser().get("/settings")
    assert (anonymous.status_code, anonymous.headers["location"]) == (
        303,
        "/sign-in?next=/settings",
    )
    csm = pages.signed_in(pages.csm)
    forged = csm.post("/settings", data={"email_notifications": ""})
    assert forged.status_code == 403
    assert own_setting(pages, pages.csm) is True


def test_an_admin_forces_emails_on_from_the_users_page(pages: PagesWorld) -> None:
    admin = pages.signed_in(pages.admin)
    page = admin.get("/users")
    assert "Send them to everyone, whatever their own choice" in page.text
    done = post_form(admin, "/users", "/service-settings", {"force_email_notifications": "on"})
    assert (done.status_code, done.headers["location"]) == (303, "/users?saved=email")
    assert forced(pages) is True
    shown = admin.get("/users?saved=email")
    assert "Email setting saved." in shown.text
    assert 'name="force_email_notifications" checked' in shown.text

    # The user sees that their choice is overridden.
    csm = pages.signed_in(pages.csm)
    post_form(csm, "/settings", "/settings", {})
    settings = csm.get("/settings")
    assert "they keep coming whatever you choose here" in settings.text
    assert "You get these emails now: <strong>yes</strong>" in settings.text

    post_form(admin, "/users", "/service-settings", {})
    assert forced(pages) is False


def test_only_admins_force_emails_on(pages: PagesWorld) -> None:
    csm = pages.signed_in(pages.csm)
    fields = hidden_fields(csm.get("/settings").text)
    refused = csm.post("/service-settings", data={**fields, "force_email_notifications": "on"})
    assert refused.status_code == 403
    assert forced(pages) is False
