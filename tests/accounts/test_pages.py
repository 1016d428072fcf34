"""Accounts in the web app: the list, an account's page, and running a manual SuccessPlay on
it as any user of the service may (dry run first; a double click is one run)."""

from __future__ import annotations

import re

from sqlalchemy import select

from playrunner.models import Run, RunSource
from tests.pages import hidden_fields, post_form
from tests.worlds import PagesWorld


def test_the_list_searches_by_id_or_name_and_filters_on_attributes(pages: PagesWorld) -> None:
    pages.factory.account(pages.tenant, "initech", name="Initech", attributes={"segment": "SMB"})
    browser = pages.signed_in(pages.csm)
    everything = browser.get("/accounts").text
    assert all(name in everything for name in ("Acme Inc.", "Globex", "Initech"))
    assert "Globex" not in browser.get("/accounts?q=acme").text
    assert "Acme Inc." in browser.get("/accounts?q=ACME").text
    smb = browser.get("/accounts", params={"attribute": "segment=SMB"}).text
    assert "Initech" in smb
    assert "Acme Inc." not in smb
    bad = browser.get("/accounts", params={"attribute": "segment"})
    assert bad.status_code == 400
    assert "must look like name=value" in bad.text
    assert "No account matches" in browser.get("/accounts?q=nothing-like-it").text


def test_the_account_page_shows_attributes_team_hierarchy_work_and_runs(pages: PagesWorld) -> None:
    pages.factory.account(pages.tenant, "acme-emea", name="Acme EMEA", parent=pages.account)
    pages.run(pages.task_play)
    html = pages.signed_in(pages.csm).get("/accounts/acme").text
    assert "<h1>Acme Inc.</h1>" in html
    assert "<dt>segment</dt><dd>Enterprise</dd>" in html
    assert "Success Manager" in html
    assert pages.csm.name in html
    assert 'href="/accounts/acme-emea">Acme EMEA</a>' in html
    assert "Follow up with Acme Inc." in html  # open work
    assert "Salesforce follow-up" in html  # run history and the plays to run


def test_only_manual_active_plays_are_offered(pages: PagesWorld) -> None:
    html = pages.signed_in(pages.csm).get("/accounts/acme").text
    offered = re.findall(r"/accounts/acme/run\?play=([0-9a-f-]+)", html)
    assert set(offered) == {str(pages.task_play.id), str(pages.form_play.id)}
    browser = pages.signed_in(pages.csm)
    event = browser.get(f"/accounts/acme/run?play={pages.event_play.id}")
    assert (event.status_code, "SuccessPlay is not configured as manual" in event.text) == (
        400,
        True,
    )
    inactive = browser.get(f"/accounts/acme/run?play={pages.inactive_play.id}")
    assert (inactive.status_code, "SuccessPlay not found" in inactive.text) == (400, True)
    unknown = browser.get(f"/accounts/nobody/run?play={pages.task_play.id}")
    assert (unknown.status_code, "Account &#39;nobody&#39; not found" in unknown.text) == (
        404,
        True,
    )


def test_a_user_runs_a_play_from_the_account_page_and_the_run_names_them(
    pages: PagesWorld,
) -> None:
    browser = pages.signed_in(pages.csm)
    preview_url = f"/accounts/acme/run?play={pages.task_play.id}"
    preview = browser.get(preview_url).text
    assert "It will create" in preview
    assert "Follow up with Acme Inc." in preview
    assert pages.csm.email in preview  # the role's holder, resolved
    with pages.database.session() as session:
        assert session.scalars(select(Run)).all() == []  # a dry run writes nothing

    done = post_form(browser, preview_url, "/accounts/acme/run", {})
    assert done.status_code == 303
    assert re.fullmatch(r"/accounts/acme\?ran=[0-9a-f-]+", done.headers["location"])
    page = browser.get(done.headers["location"]).text
    assert "Salesforce follow-up ran on acme" in page
    assert "Follow up with Acme Inc.</a> for " + pages.csm.email in page
    with pages.database.session() as session:
        (run,) = session.scalars(select(Run)).all()
    assert (run.user_id, run.source, run.token_id) == (pages.csm.id, RunSource.WEB, None)
    assert "Web app" in page


def test_a_double_click_is_one_run(pages: PagesWorld) -> None:
    browser = pages.signed_in(pages.admin)
    preview_url = f"/accounts/acme/run?play={pages.task_play.id}"
    form = hidden_fields(browser.get(preview_url).text)
    first = browser.post("/accounts/acme/run", data=form)
    second = browser.post("/accounts/acme/run", data=form)
    assert first.headers["location"] == second.headers["location"]
    with pages.database.session() as session:
        assert len(session.scalars(select(Run)).all()) == 1
    # Another visit of the preview is another run.
    post_form(browser, preview_url, "/accounts/acme/run", {})
    with pages.database.session() as session:
        assert len(session.scalars(select(Run)).all()) == 2


def test_an_unknown_account_is_a_404_page(pages: PagesWorld) -> None:
    answer = pages.signed_in(pages.csm).get("/accounts/nobody")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "Account &#39;nobody&#39; not found" in answer.text


def test_unknown_addresses_answer_browsers_with_a_page(pages: PagesWorld) -> None:
    browser = pages.signed_in(pages.csm)
    page = browser.get("/no-such-page", headers={"Accept": "text/html"})
    assert (page.status_code, page.headers["content-type"][:9]) == (404, "text/html")
    api = browser.get("/api/v1/no-such-thing", headers={"Accept": "text/html"})
    assert api.headers["content-type"] == "application/problem+json"
