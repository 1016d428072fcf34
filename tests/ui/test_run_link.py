"""The run link in Chromium, as a salesperson clicking a Salesforce button meets it: signed
out, sign in, back on the confirmation, Run, the result with its links; and the page an
unknown play or account gets."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from playrunner.accounts import service as accounts_service
from playrunner.models import Run
from tests.accounts.test_external_ids import ID15, ID18
from tests.ui.test_journeys import sign_in
from tests.worlds import PagesWorld


def test_a_salesforce_button_opens_the_link_and_the_play_runs_once(
    journey: PagesWorld, page: Page
) -> None:
    with journey.database.session() as session:
        acme = accounts_service.get_account(session, journey.tenant.id, "acme")
        accounts_service.set_external_ids(
            session, journey.tenant.id, acme, {"salesforce": ID18}, replace=True
        )
    # What the button opens: {!Account.Id} gives the 15-character id in a URL button.
    link = f"/run/{journey.task_play.id}?account={ID15}"
    page.goto(link)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    sign_in(page, journey.csm.email)

    expect(page).to_have_url(journey.base_url + link)
    expect(page.get_by_role("heading", name="Run Salesforce follow-up")).to_be_visible()
    expect(page.get_by_text("Acme Inc.", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Follow up with Acme Inc.")).to_be_visible()

    # A double click: the button is disabled after the first; the key makes it one run anyway.
    page.get_by_role("button", name="Run Salesforce follow-up").dblclick()
    expect(page.get_by_role("heading", name="Salesforce follow-up ran on acme")).to_be_visible()
    assert re.search(r"&ran=[0-9a-f-]+$", page.url)

    page.get_by_role("link", name="Follow up with Acme Inc.").click()
    expect(page.get_by_role("heading", name="Follow up with Acme Inc.")).to_be_visible()
    assert re.search(r"/tasks/[0-9a-f-]+$", page.url)
    with journey.database.session() as session:
        assert len(session.scalars(select(Run)).all()) == 1


def test_an_admin_follows_the_result_to_the_run(journey: PagesWorld, page: Page) -> None:
    page.goto(f"/run/{journey.form_play.id}?account=globex")
    sign_in(page, journey.admin.email)
    page.get_by_role("button", name="Run Sentiment check").click()
    expect(page.get_by_role("heading", name="Sentiment check ran on globex")).to_be_visible()
    page.get_by_role("link", name="The run").click()
    expect(page.get_by_role("heading", name="Sentiment check on globex")).to_be_visible()


def test_an_unknown_play_or_account_gets_a_friendly_page(journey: PagesWorld, page: Page) -> None:
    page.goto(f"/run/{journey.task_play.id}?account=001000000000000")
    sign_in(page, journey.csm.email)
    expect(page.get_by_text("Account not found")).to_be_visible()
    assert page.get_by_role("button", name=re.compile("^Run")).count() == 0
    answer = page.goto("/run/no-such-play?account=acme")
    assert answer is not None
    assert answer.status == 404
    expect(page.get_by_text("SuccessPlay not found")).to_be_visible()
    expect(page.get_by_role("link", name="My work").first).to_be_visible()
