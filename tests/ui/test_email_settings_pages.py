"""Email settings in Chromium: the Success Manager turns emails off from Settings (reached
from the header), and an admin forces them on for everyone from the users page."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select

from playrunner.models import Tenant, User
from tests.ui.test_journeys import sign_in
from tests.worlds import PagesWorld


def test_a_user_turns_emails_off_and_an_admin_forces_them_on(
    journey: PagesWorld, page: Page
) -> None:
    page.goto("/")
    sign_in(page, journey.csm.email)
    page.get_by_role("link", name="Settings").click()
    box = page.get_by_label("Email me when a task or form request is assigned to me")
    expect(box).to_be_checked()
    box.uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(box).not_to_be_checked()
    expect(page.get_by_text("You get these emails now: no")).to_be_visible()

    page.context.clear_cookies()
    page.goto("/users")
    sign_in(page, journey.admin.email)
    page.get_by_label("Send them to everyone, whatever their own choice").check()
    page.get_by_role("button", name="Save email setting").click()
    expect(page.get_by_role("status")).to_have_text("Email setting saved.")

    with journey.database.session(read_only=True) as session:
        own = session.scalar(select(User.email_notifications).where(User.id == journey.csm.id))
        forced = session.scalar(
            select(Tenant.force_email_notifications).where(Tenant.id == journey.tenant.id)
        )
    assert (own, forced) == (False, True)
