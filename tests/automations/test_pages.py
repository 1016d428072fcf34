"""The run link, /run/{successplayId}?account={accountId}: what a Salesforce button opens. Sign
in and back, the confirmation (a dry run), one run per confirmation, the result; the trigger's
refusals in its words; accounts named by their Salesforce ids."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from sqlalchemy import select

from playrunner.accounts import service as accounts_service
from playrunner.models import Run, RunSource
from playrunner.plays import service as plays_service
from playrunner.users import service as users_service
from playrunner.users.schemas import UserPatch
from tests.accounts.test_external_ids import ID15, ID18
from tests.factories import task_play
from tests.pages import PASSWORD, hidden_fields
from tests.worlds import PagesWorld


def link(pages: PagesWorld, account: str = "acme", play: str | None = None) -> str:
    return f"/run/{play or pages.task_play.id}?account={quote(account)}"


def runs(pages: PagesWorld) -> list[Run]:
    with pages.database.session() as session:
        return list(session.scalars(select(Run)).all())


def test_a_stranger_signs_in_and_comes_back_to_the_link(pages: PagesWorld) -> None:
    browser = pages.browser()
    url = link(pages)
    answer = browser.get(url)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=" + quote(url, "/")
    form = hidden_fields(browser.get(answer.headers["location"]).text)
    assert form["next"] == url
    signed_in = browser.post(
        "/sign-in", data={**form, "email": pages.csm.email, "password": PASSWORD}
    )
    assert (signed_in.status_code, signed_in.headers["location"]) == (303, url)
    assert "<h1>Run Salesforce follow-up</h1>" in browser.get(url).text


def test_the_confirmation_shows_the_play_the_account_and_the_dry_run(pages: PagesWorld) -> None:
    page = pages.signed_in(pages.csm).get(link(pages))
    assert page.status_code == 200
    html = page.text
    assert "<h1>Run Salesforce follow-up</h1>" in html
    assert "<strong>Acme Inc.</strong> (account id <code>acme</code>)" in html
    assert "It will create" in html
    assert "Follow up with Acme Inc." in html
    assert pages.csm.email in html  # the Success Manager, resolved
    assert f'action="/run/{pages.task_play.id}?account=acme"' in html
    assert '<button type="submit" class="button primary">Run Salesforce follow-up</button>' in html
    assert runs(pages) == []  # a dry run writes nothing


def test_any_user_runs_the_play_and_sees_what_it_created(pages: PagesWorld) -> None:
    browser = pages.signed_in(pages.csm)
    url = link(pages)
    form = hidden_fields(browser.get(url).text)
    done = browser.post(url, data=form)
    assert done.status_code == 303
    (run,) = runs(pages)
    assert done.headers["location"] == f"{url}&ran={run.id}"
    assert (run.user_id, run.source, run.token_id) == (pages.csm.id, RunSource.WEB, None)

    result = browser.get(done.headers["location"])
    assert result.status_code == 200
    html = result.text
    assert "<h1>Salesforce follow-up ran on acme</h1>" in html
    (task_id,) = re.findall(r'href="/tasks/([0-9a-f-]+)">Follow up with Acme Inc\.</a>', html)
    assert browser.get(f"/tasks/{task_id}").status_code == 200  # the CSM's task
    assert f'href="/runs/{run.id}"' not in html  # run history is the admins'
    assert 'href="/accounts/acme"' in html
    # An admin's result page links to the run.
    admin = pages.signed_in(pages.admin)
    assert f'href="/runs/{run.id}"' in admin.get(done.headers["location"]).text


def test_a_form_play_links_its_form_request(pages: PagesWorld) -> None:
    browser = pages.signed_in(pages.csm)
    url = link(pages, play=str(pages.form_play.id))
    done = browser.post(url, data=hidden_fields(browser.get(url).text))
    html = browser.get(done.headers["location"]).text
    (request_id,) = re.findall(r'href="/form-requests/([0-9a-f-]+)">Sentiment</a>', html)
    assert browser.get(f"/form-requests/{request_id}").status_code == 200


def test_a_double_click_is_one_run_and_each_confirmation_another(pages: PagesWorld) -> None:
    browser = pages.signed_in(pages.csm)
    url = link(pages)
    form = hidden_fields(browser.get(url).text)
    first = browser.post(url, data=form)
    second = browser.post(url, data=form)
    assert first.headers["location"] == second.headers["location"]
    assert len(runs(pages)) == 1
    browser.post(url, data=hidden_fields(browser.get(url).text))
    assert len(runs(pages)) == 2


def test_a_post_without_the_pages_csrf_token_runs_nothing(pages: PagesWorld) -> None:
    browser = pages.signed_in(pages.csm)
    url = link(pages)
    form = hidden_fields(browser.get(url).text)
    refused = browser.post(url, data={"key": form["key"]})
    assert refused.status_code == 403
    assert "This form has expired" in refused.text
    forged = browser.post(url, data={**form, "csrf_token": "0" * 64})
    assert forged.status_code == 403
    assert runs(pages) == []


@pytest.mark.parametrize(
    ("play", "account", "status", "message"),
    [
        ("unknown", "acme", 404, "SuccessPlay not found"),
        ("00000000-0000-4000-8000-000000000000", "acme", 404, "SuccessPlay not found"),
        ("inactive", "acme", 404, "SuccessPlay not found"),
        ("event", "acme", 400, "SuccessPlay is not configured as manual"),
        ("task", "nobody", 404, "Account not found"),
        ("task", "", 400, "This run link names no account"),
    ],
)
def test_refusals_are_the_trigger_apis_on_a_page(
    pages: PagesWorld, play: str, account: str, status: int, message: str
) -> None:
    plays = {
        "task": pages.task_play.id,
        "inactive": pages.inactive_play.id,
        "event": pages.event_play.id,
    }
    url = f"/run/{plays.get(play, play)}?account={account}"
    browser = pages.signed_in(pages.csm)
    page = browser.get(url)
    assert (page.status_code, page.headers["content-type"][:9]) == (status, "text/html")
    assert message in page.text
    # Posting to it (a confirmation left open while the play changed) refuses alike.
    form = hidden_fields(browser.get("/my-work").text)
    posted = browser.post(url, data={"csrf_token": form["csrf_token"], "key": "web-1"})
    assert (posted.status_code, message in posted.text) == (status, True)
    assert runs(pages) == []


def test_a_play_deactivated_after_the_confirmation_is_not_run(pages: PagesWorld) -> None:
    browser = pages.signed_in(pages.csm)
    url = link(pages)
    form = hidden_fields(browser.get(url).text)
    with pages.database.session() as session:
        plays_service.set_active(session, pages.tenant.id, pages.task_play.id, False)
    refused = browser.post(url, data=form)
    assert (refused.status_code, "SuccessPlay not found" in refused.text) == (404, True)
    assert runs(pages) == []


def test_another_services_play_is_not_found(pages: PagesWorld) -> None:
    browser = pages.signed_in(pages.other_admin)
    page = browser.get(link(pages))
    assert (page.status_code, "SuccessPlay not found" in page.text) == (404, True)


def test_a_link_may_name_the_play_by_its_key(pages: PagesWorld) -> None:
    pages.factory.play(pages.tenant, task_play(name="Keyed play"), key="sf-follow-up")
    browser = pages.signed_in(pages.csm)
    url = link(pages, play="sf-follow-up")
    assert "<h1>Run Keyed play</h1>" in browser.get(url).text
    done = browser.post(url, data=hidden_fields(browser.get(url).text))
    assert done.headers["location"].startswith("/run/sf-follow-up?account=acme&ran=")
    assert "<h1>Keyed play ran on acme</h1>" in browser.get(done.headers["location"]).text


@pytest.mark.parametrize("given", [ID15, ID18])
def test_the_account_may_be_named_by_its_salesforce_id(pages: PagesWorld, given: str) -> None:
    with pages.database.session() as session:
        account = accounts_service.get_account(session, pages.tenant.id, "acme")
        accounts_service.set_external_ids(
            session, pages.tenant.id, account, {"salesforce": ID18}, replace=True
        )
    browser = pages.signed_in(pages.csm)
    url = link(pages, account=given)
    page = browser.get(url).text
    assert (
        f"<strong>Acme Inc.</strong> (account id <code>acme</code>, named in the link by"
        f" <code>{given}</code>)" in page
    )
    done = browser.post(url, data=hidden_fields(page))
    assert done.status_code == 303
    result = browser.get(done.headers["location"])
    assert "<h1>Salesforce follow-up ran on acme</h1>" in result.text
    (run,) = runs(pages)
    with pages.database.session() as session:
        assert accounts_service.find_account(session, pages.tenant.id, "acme").id == (  # type: ignore[union-attr]
            run.requested_account_id
        )


def test_a_result_shows_only_a_run_of_this_link(pages: PagesWorld) -> None:
    other = pages.run(pages.form_play)
    browser = pages.signed_in(pages.csm)
    for ran in (str(other.run.id), "not-a-run", "00000000-0000-4000-8000-000000000000"):
        page = browser.get(f"{link(pages)}&ran={ran}")
        assert page.status_code == 404, ran
    on_globex = pages.run(pages.task_play, "globex")
    page = browser.get(f"{link(pages)}&ran={on_globex.run.id}")
    assert (page.status_code, "This link did not make that run." in page.text) == (404, True)


def test_a_deactivated_user_is_sent_to_sign_in_and_cannot(pages: PagesWorld) -> None:
    browser = pages.signed_in(pages.csm)
    url = link(pages)
    form = hidden_fields(browser.get(url).text)
    with pages.database.session() as session:
        users_service.update_user(
            session, pages.tenant.id, pages.csm.email, UserPatch(active=False)
        )
    assert browser.get(url).status_code == 303
    refused = browser.post(url, data=form)
    assert refused.status_code == 303
    assert refused.headers["location"].startswith("/sign-in?next=")
    assert runs(pages) == []
