"""A task's page: what it is and where it came from; moving it through Totango's four
categories; the touchpoint a play requires, refused with the API's words."""

from __future__ import annotations

from playrunner.models import RunSource
from playrunner.tasks import service as tasks_service
from playrunner.tasks.schemas import TaskCreate
from tests.pages import hidden_fields, post_form
from tests.worlds import PagesWorld


def test_the_task_page_shows_the_task_and_where_it_came_from(pages: PagesWorld) -> None:
    outcome = pages.run(pages.task_play)
    (task,) = outcome.tasks
    html = pages.signed_in(pages.csm).get(f"/tasks/{task.id}").text
    assert "<h1>Follow up with Acme Inc.</h1>" in html
    assert "Asked from Salesforce by" in html
    assert 'href="/accounts/acme"' in html
    assert "Salesforce follow-up" in html  # the play
    assert pages.admin.email in html  # who ran it
    assert RunSource.API.value in html
    assert "High" in html
    assert "Required to complete this task" in html


def test_completing_needs_the_touchpoint_and_says_so_as_the_api_does(pages: PagesWorld) -> None:
    (task,) = pages.run(pages.task_play).tasks
    browser = pages.signed_in(pages.csm)
    url = f"/tasks/{task.id}"

    refused = post_form(browser, url, url, {"status": "completed", "touchpoint_note": "  "})
    assert refused.status_code == 400
    assert refused.text.count("This task requires a touchpoint note when it is completed") == 2
    assert "<title>Error: Follow up" in refused.text
    assert 'aria-describedby="touchpoint_note-hint touchpoint_note-error"' in refused.text

    done = post_form(
        browser, url, url, {"status": "completed", "touchpoint_note": "Called the CFO"}
    )
    assert (done.status_code, done.headers["location"]) == (303, f"{url}?updated=1")
    page = browser.get(done.headers["location"]).text
    assert "Task updated" in page
    assert "Called the CFO" in page
    assert "it cannot change any more" in page
    with pages.database.session() as session:
        stored = tasks_service.get_task(session, pages.tenant.id, task.id)
    assert (stored.status.value, stored.touchpoint_note) == ("completed", "Called the CFO")


def test_starting_and_cancelling(pages: PagesWorld) -> None:
    (task,) = pages.run(pages.task_play).tasks
    browser = pages.signed_in(pages.csm)
    url = f"/tasks/{task.id}"
    assert post_form(browser, url, url, {"status": "started"}).status_code == 303
    assert "pill started" in browser.get(url).text
    assert post_form(browser, url, url, {"status": "cancelled"}).status_code == 303
    assert "pill cancelled" in browser.get(url).text


def test_someone_elses_task_is_not_found(pages: PagesWorld) -> None:
    (task,) = pages.run(pages.task_play).tasks
    with pages.database.session() as session:
        mine = tasks_service.create_task(
            session,
            pages.factory.principal(pages.admin),
            TaskCreate(title="Admin's own", account_id="acme"),
        )
    csm = pages.signed_in(pages.csm)
    answer = csm.get(f"/tasks/{mine.id}")
    assert answer.status_code == 404
    assert f"Task {mine.id} not found" in answer.text
    assert csm.get("/tasks/not-a-task").status_code == 404
    # An admin sees every task of the service.
    assert pages.signed_in(pages.admin).get(f"/tasks/{task.id}").status_code == 200


def test_a_form_without_its_csrf_token_is_refused(pages: PagesWorld) -> None:
    (task,) = pages.run(pages.task_play).tasks
    browser = pages.signed_in(pages.csm)
    url = f"/tasks/{task.id}"
    form = hidden_fields(browser.get(url).text)
    del form["csrf_token"]
    answer = browser.post(url, data={**form, "status": "started"})
    assert answer.status_code == 403
    assert "This form has expired" in answer.text
    assert "pill not_started" in browser.get(url).text


def test_titles_are_escaped(pages: PagesWorld) -> None:
    with pages.database.session() as session:
        task = tasks_service.create_task(
            session,
            pages.factory.principal(pages.admin),
            TaskCreate(title="<script>alert(1)</script>", account_id="acme"),
        )
    html = pages.signed_in(pages.admin).get(f"/tasks/{task.id}").text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_pages_carry_their_security_headers(pages: PagesWorld) -> None:
    (task,) = pages.run(pages.task_play).tasks
    answer = pages.signed_in(pages.csm).get(f"/tasks/{task.id}")
    policy = answer.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["cache-control"] == "no-store"
