"""My work: a person's tasks and form requests in one list, overdue first, with counts per
status, filters and pages."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine

from playrunner.clock import utcnow
from playrunner.models import TaskStatus
from playrunner.tasks import service as tasks_service
from tests.worlds import PagesWorld


def titles(html: str) -> list[str]:
    return re.findall(r'<a href="/(?:tasks|form-requests)/[^"]+">([^<]+)</a>', html)


def counts(html: str) -> dict[str, int]:
    found = re.findall(r'>([A-Za-z ]+)\s*<span class="count[^"]*">([\d,]+)</span>', html)
    return {label.strip(): int(number.replace(",", "")) for label, number in found}


def test_my_work_lists_tasks_and_forms_overdue_first_then_by_due_date(pages: PagesWorld) -> None:
    with time_machine.travel(utcnow() - timedelta(days=10)):
        pages.run(pages.task_play, "globex")  # due 3 days after that: overdue now
    pages.run(pages.task_play)  # due in 3 days
    pages.run(pages.form_play)  # due today
    html = pages.signed_in(pages.csm).get("/my-work").text

    assert titles(html) == [
        "Follow up with Globex",
        "Fill in: Sentiment",
        "Follow up with Acme Inc.",
    ]
    assert "7 days overdue" in html
    assert "due today" in html
    assert "due in 3 days" in html
    assert counts(html) == {
        "Open": 3,
        "Overdue": 1,
        "Not Started": 3,
        "Started": 0,
        "Completed": 0,
        "Cancelled": 0,
        "All": 3,
    }


def test_statuses_filter_and_count(pages: PagesWorld) -> None:
    done = pages.run(pages.task_play).tasks[0]
    pages.run(pages.task_play, "globex")
    pages.run(pages.form_play)
    with pages.database.session() as session:
        tasks_service.set_status(
            session, pages.factory.principal(pages.csm), done.id, TaskStatus.COMPLETED, "Called"
        )
    browser = pages.signed_in(pages.csm)

    assert titles(browser.get("/my-work?status=completed").text) == ["Follow up with Acme Inc."]
    assert titles(browser.get("/my-work").text) == ["Fill in: Sentiment", "Follow up with Globex"]
    assert counts(browser.get("/my-work").text)["Completed"] == 1
    assert len(titles(browser.get("/my-work?status=all").text)) == 3


def test_filters_by_account_play_and_due_window(pages: PagesWorld) -> None:
    pages.run(pages.task_play)
    pages.run(pages.task_play, "globex")
    pages.run(pages.form_play)
    browser = pages.signed_in(pages.csm)

    by_account = browser.get("/my-work", params={"account": "glob"}).text
    assert titles(by_account) == ["Follow up with Globex"]
    by_play = browser.get("/my-work", params={"play": str(pages.form_play.id)}).text
    assert titles(by_play) == ["Fill in: Sentiment"]
    this_week = browser.get("/my-work", params={"due": "week"}).text
    assert titles(this_week) == [
        "Fill in: Sentiment",
        "Follow up with Acme Inc.",
        "Follow up with Globex",
    ]
    assert titles(browser.get("/my-work", params={"due": "today"}).text) == ["Fill in: Sentiment"]
    assert "Nothing matches these filters" in browser.get("/my-work?due=none").text


def test_pages_of_fifty(pages: PagesWorld) -> None:
    for _ in range(26):
        pages.run(pages.task_play)
        pages.run(pages.task_play, "globex")
    browser = pages.signed_in(pages.csm)
    first = browser.get("/my-work").text
    assert len(titles(first)) == 50
    assert "1\u201350 of 52" in first
    assert 'href="/my-work?status=open&amp;offset=50" rel="next"' in first
    second = browser.get("/my-work?offset=50").text
    assert len(titles(second)) == 2
    assert "51\u201352 of 52" in second


def test_only_my_own_work(pages: PagesWorld) -> None:
    pages.run(pages.task_play)
    admin_view = pages.signed_in(pages.admin).get("/my-work").text
    assert titles(admin_view) == []
    assert "You are all caught up" in admin_view


def test_bad_filters_are_a_clear_400_page(pages: PagesWorld) -> None:
    browser = pages.signed_in(pages.csm)
    answer = browser.get("/my-work?status=someday")
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    assert "status &#39;someday&#39; is not one of" in answer.text
