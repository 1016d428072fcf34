"""Run history in the admin console, with its filters, and a run's page."""

from __future__ import annotations

import re

from playrunner.models import RunSource
from playrunner.runs import service as runs_service
from playrunner.runs.repository import RunFilter
from tests.pages import post_form
from tests.worlds import PagesWorld


def test_runs_are_listed_and_filtered(pages: PagesWorld) -> None:
    pages.run(pages.task_play)
    pages.run(pages.form_play, "globex")
    csm = pages.signed_in(pages.csm)
    preview = f"/accounts/acme/run?play={pages.form_play.id}"
    post_form(csm, preview, "/accounts/acme/run", {})
    admin = pages.signed_in(pages.admin)

    def shown(**params: str) -> int:
        page = admin.get("/runs", params=params)
        assert page.status_code == 200, page.text
        return len(re.findall(r'<a href="/runs/[0-9a-f-]+">', page.text))

    assert shown() == 3
    assert shown(play=str(pages.form_play.id)) == 2
    assert shown(account="globex") == 1
    assert shown(runner=pages.csm.email) == 1
    assert shown(source="web") == 1
    assert shown(source="api") == 2
    assert shown(since="2000-01-01", until="2099-01-01") == 3
    assert shown(until="2000-01-01") == 0
    bad = admin.get("/runs", params={"since": "yesterday"})
    assert bad.status_code == 400
    assert "is not a date" in bad.text
    last_day = admin.get("/runs", params={"until": "9999-12-31"})
    assert last_day.status_code == 400
    assert "is out of range" in last_day.text
    no_play = admin.get("/runs", params={"play": "zzz"})
    assert no_play.status_code == 400
    assert "SuccessPlay zzz not found" in no_play.text


def test_a_runs_page_shows_what_it_made_as_it_is_now(pages: PagesWorld) -> None:
    outcome = pages.run(pages.task_play)
    html = pages.signed_in(pages.admin).get(f"/runs/{outcome.run.id}").text
    assert "Salesforce follow-up on acme" in html
    assert "Follow up with Acme Inc." in html
    assert "pill not_started" in html
    with pages.database.session() as session:
        (run,), _ = runs_service.page_runs(session, pages.tenant.id, RunFilter())
    assert run.source is RunSource.API
