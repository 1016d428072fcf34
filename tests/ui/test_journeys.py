"""Journeys through the web app as people make them, in a real browser against a live server
(on SQLite and on PostgreSQL): the Success Manager finds and completes the task the seed's
curl just created, answers the sentiment form, runs a play; an admin runs one with a double
click; and what others are refused."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect
from sqlalchemy import select

from playrunner.models import Run, RunSource
from tests.pages import PASSWORD
from tests.worlds import PATH, PagesWorld, body


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """With the keyboard only: type, Tab to the password, Enter."""
    page.get_by_label("Email").fill(email)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")


def test_the_success_manager_completes_the_task_the_seeds_curl_created(
    journey: PagesWorld, page: Page
) -> None:
    # The seed's curl statement, as an integrator sends it.
    answer = httpx.post(
        journey.base_url + PATH,
        headers={"app-token": journey.admin_token, "Content-Type": "application/json"},
        json=body(journey.task_play, "acme"),
        timeout=30,  # a waiting limit (the browser's too): a loaded CI machine took over 5 s
    )
    assert answer.text == "Success"

    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in to Playrunner")).to_be_visible()
    sign_in(page, journey.csm.email)
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    page.get_by_role("link", name="Follow up with Acme Inc.").click()

    expect(page.get_by_role("heading", name="Follow up with Acme Inc.")).to_be_visible()
    page.get_by_label("Completed").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "This task requires a touchpoint note when it is completed"
    )
    assert page.title().startswith("Error: ")
    page.get_by_label("Touchpoint note").fill("Called the CFO; renewal on track")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status")).to_contain_text("Task updated")
    expect(page.get_by_text("Called the CFO; renewal on track")).to_be_visible()
    page.get_by_role("link", name="Back to my work").first.click()
    expect(page.get_by_text("You are all caught up")).to_be_visible()


def test_the_success_manager_answers_the_sentiment_form(journey: PagesWorld, page: Page) -> None:
    journey.run(journey.form_play, "globex")  # Globex has no sentiment yet
    page.goto("/my-work")
    sign_in(page, journey.csm.email)
    page.get_by_role("link", name="Fill in: Sentiment").click()
    expect(page.get_by_text("How is Globex?")).to_be_visible()
    page.get_by_label("Note").fill("Champion left")
    page.get_by_label("Score").fill("3")
    page.get_by_role("button", name="Submit answers").click()

    # The one required question was left out: the API's words, beside it and in the summary.
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator("#answer-sentiment-error")).to_contain_text("is required")
    expect(page.get_by_label("Note")).to_have_value("Champion left")
    expect(page.get_by_label("Score")).to_have_value("3")

    page.get_by_label("Red").check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", name="Your answers are saved")).to_be_visible()
    expect(page.locator("dd.changed", has_text="Red")).to_be_visible()
    expect(page.locator("dd.changed", has_text="Champion left")).to_be_visible()
    assert page.url.startswith(journey.base_url + "/accounts/globex?answered=")


def test_an_admin_runs_a_play_from_an_account_once_even_on_a_double_click(
    journey: PagesWorld, page: Page
) -> None:
    page.goto("/accounts")
    sign_in(page, journey.admin.email)
    page.get_by_label("Search").fill("acme")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Acme Inc.").click()
    page.get_by_role("link", name="Run Salesforce follow-up on Acme Inc.").click()

    expect(page.get_by_role("heading", name="It will create")).to_be_visible()
    expect(page.get_by_text("Follow up with Acme Inc.")).to_be_visible()
    page.get_by_role("button", name="Run Salesforce follow-up").dblclick()

    expect(page.get_by_role("heading", name="Salesforce follow-up ran on acme")).to_be_visible()
    with journey.database.session() as session:
        runs = session.scalars(select(Run)).all()
    assert len(runs) == 1
    assert (runs[0].user_id, runs[0].source) == (journey.admin.id, RunSource.WEB)


def test_the_success_manager_runs_a_play_and_the_run_names_them(
    journey: PagesWorld, page: Page
) -> None:
    page.goto("/accounts/acme")
    sign_in(page, journey.csm.email)
    expect(page.get_by_role("heading", name="Acme Inc.")).to_be_visible()
    offered = page.locator(".play-option strong").all_inner_texts()
    assert sorted(offered) == ["Salesforce follow-up", "Sentiment check"]  # not event/inactive

    page.get_by_role("link", name="Run Sentiment check on Acme Inc.").click()
    page.get_by_role("button", name="Run Sentiment check").click()
    expect(page.get_by_role("heading", name="Sentiment check ran on acme")).to_be_visible()
    history = page.locator("section", has=page.get_by_role("heading", name="Run history"))
    expect(history).to_contain_text(journey.csm.email)
    expect(history).to_contain_text("Web app")


def test_another_services_user_sees_none_of_this_services_pages(
    journey: PagesWorld, page: Page
) -> None:
    (task,) = journey.run(journey.task_play).tasks
    page.goto(f"/tasks/{task.id}")
    sign_in(page, journey.other_admin.email)
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    page.goto("/accounts/acme")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()


def test_a_wrong_password_is_refused(journey: PagesWorld, page: Page) -> None:
    page.goto("/")
    sign_in(page, journey.csm.email, "not the password")
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password.")
    expect(page.get_by_label("Email")).to_have_value(journey.csm.email)


def test_a_form_posted_without_its_csrf_token_is_refused(journey: PagesWorld, page: Page) -> None:
    (task,) = journey.run(journey.task_play).tasks
    page.goto(f"/tasks/{task.id}")
    sign_in(page, journey.csm.email)
    page.locator("form[action^='/tasks/'] input[name=csrf_token]").evaluate("i => i.remove()")
    page.get_by_label("Started", exact=True).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="You cannot open this page")).to_be_visible()
    expect(page.get_by_text("This form has expired")).to_be_visible()
