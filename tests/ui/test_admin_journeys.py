"""The admin's console in a real browser against a live server (SQLite and PostgreSQL): a play
built in the pages and run with the curl its page prints, a form changed and the next request
showing it, a CSV import with a bad row, a token created and revoked, an OAuth application
registered and used, what a non-admin is refused, and the API docs with no internet."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx
from playwright.sync_api import Page, Route, expect

from tests.ui.test_admin_access import ADMIN_PAGES, admin_page_ids
from tests.ui.test_journeys import sign_in
from tests.worlds import PagesWorld

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def test_an_admin_builds_a_play_and_runs_it_with_the_printed_curl(
    journey: PagesWorld, page: Page
) -> None:
    page.goto("/successplays")
    sign_in(page, journey.admin.email)
    page.get_by_role("link", name="New SuccessPlay").click()

    page.get_by_role("textbox", name="Name (required)").fill("Renewal check")
    page.get_by_label("Description").first.fill("Before the renewal, talk and ask.")
    page.get_by_label("Manual (from the trigger API").check()
    # A new play starts with one task; the form request is added.
    task = page.get_by_role("region", name="1. Create a task")
    task.get_by_label("Title").fill("Call {{ account.name }} about the renewal")
    task.get_by_label("Description").fill("{{ account.attributes.segment }} account")
    task.get_by_label("Due").fill("5")
    task.get_by_label("Whoever holds an account role").check()
    task.get_by_label("Account role", exact=True).select_option("Success Manager")
    page.get_by_role("button", name="Add a form request").click()
    form = page.get_by_role("region", name="2. Request information")
    form.get_by_label("Form").select_option("Sentiment")
    form.get_by_label("Instructions").fill("How is {{ account.name }} before the renewal?")

    # The live preview of the templates on a chosen account.
    page.get_by_label("Preview the templates on an account").fill("acme")
    page.get_by_role("button", name="Preview").click()
    expect(
        page.get_by_role("region", name="1. Create a task").get_by_role("status")
    ).to_contain_text("Call Acme Inc. about the renewal")
    expect(
        page.get_by_role("region", name="1. Create a task").get_by_role("status")
    ).to_contain_text("Enterprise account")
    page.get_by_role("button", name="Save SuccessPlay").click()

    expect(page.get_by_role("heading", name="Renewal check", exact=True)).to_be_visible()
    match = re.fullmatch(journey.base_url + f"/successplays/({UUID})(\\?.*)?", page.url)
    assert match, page.url
    play_id = match.group(1)
    expect(page.locator("#play-id")).to_have_text(play_id)

    # The page's curl, as printed, with a token and an account filled in.
    curl = page.locator("#curl").inner_text()
    assert journey.base_url in curl
    assert play_id in curl
    statement = curl.replace("APP_TOKEN", journey.admin_token).replace("{account-id}", "acme")
    sent = subprocess.run(
        ["bash", "-c", statement], check=False, capture_output=True, text=True, timeout=30
    )
    assert sent.stdout == "Success", (sent.stdout, sent.stderr)

    page.reload()
    runs = page.get_by_role("region", name="Recent runs")
    expect(runs.get_by_role("row")).to_have_count(2)  # the header and the run
    expect(runs.get_by_role("row").nth(1)).to_contain_text("1 task, 1 form")
    runs.get_by_role("link").nth(1).click()

    expect(page.get_by_role("heading", name="Renewal check on acme")).to_be_visible()
    task_row = page.get_by_role("row", name=re.compile("Call Acme Inc. about the renewal"))
    expect(task_row).to_contain_text(journey.csm.email.split("@")[0])  # Acme's Success Manager
    expect(page.get_by_role("row", name=re.compile("Sentiment"))).to_contain_text(
        journey.csm.email.split("@")[0]
    )


def test_an_admin_edits_a_form_and_the_next_request_shows_it(
    journey: PagesWorld, page: Page
) -> None:
    page.goto("/forms")
    sign_in(page, journey.admin.email)
    page.get_by_role("link", name="Sentiment", exact=True).click()
    page.get_by_role("region", name="Question 2").get_by_label("Question").fill(
        "What did the champion say?"
    )
    page.get_by_role("button", name="Add a question").click()
    added = page.get_by_role("region", name="Question 7")
    added.get_by_label("Question").fill("Expansion potential")
    added.get_by_label("Account attribute it updates").fill("expansion")
    added.get_by_label("Type").select_option("number")
    page.get_by_role("button", name="Save form").click()
    expect(page.get_by_role("status")).to_contain_text("Form saved")

    run = journey.run(journey.form_play, "globex").run
    page.goto(f"/runs/{run.id}")
    page.get_by_role("link", name="Sentiment", exact=True).click()
    expect(page.get_by_label("What did the champion say?")).to_be_visible()
    expect(page.get_by_label("Expansion potential")).to_be_visible()


def test_a_csv_import_with_one_bad_row(journey: PagesWorld, page: Page, tmp_path: Path) -> None:
    upload = tmp_path / "accounts.csv"
    upload.write_text(
        "id,name,parent,attr:segment,role:Success Manager\n"
        f"initech,Initech,acme,SMB,{journey.csm.email}\n"
        "hooli,Hooli,,Enterprise,nobody@example.com\n"
        "umbrella,Umbrella,,Mid-market,\n"
    )
    page.goto("/accounts/import")
    sign_in(page, journey.admin.email)
    page.get_by_label("CSV file").set_input_files(upload)
    page.get_by_role("button", name="Import").click()

    expect(page.get_by_role("heading", name="Imported accounts.csv")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("2 created, 0 updated, 1 refused")
    refused = page.get_by_role("region", name="Refused rows")
    expect(refused.get_by_role("row").nth(1)).to_contain_text("3")
    expect(refused.get_by_role("row").nth(1)).to_contain_text("hooli")
    expect(refused.get_by_role("row").nth(1)).to_contain_text("nobody@example.com")

    page.get_by_role("link", name="See the accounts").click()
    expect(page.get_by_role("link", name="Initech")).to_be_visible()
    expect(page.get_by_role("link", name="Umbrella")).to_be_visible()
    expect(page.get_by_role("link", name="Hooli")).to_have_count(0)


def test_a_token_created_and_revoked(journey: PagesWorld, page: Page) -> None:
    page.goto("/tokens")
    sign_in(page, journey.admin.email)
    page.get_by_role("textbox", name="Name (required)").fill("Salesforce button")
    page.get_by_label("30 days").check()
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("status")).to_contain_text("Copy it now")
    secret = page.locator("#new-token").inner_text()

    def whoami() -> int:
        answer = httpx.get(
            journey.base_url + "/api/v1/successplays", headers={"app-token": secret}, timeout=30
        )
        return answer.status_code

    assert whoami() == 200
    page.goto("/tokens")
    expect(page.locator("#new-token")).to_have_count(0)  # shown once
    page.get_by_role("button", name="Revoke Salesforce button").click()
    expect(page.get_by_role("row", name=re.compile("Salesforce button"))).to_contain_text("Revoked")
    assert whoami() == 401


def test_a_client_credentials_app_gets_a_token(journey: PagesWorld, page: Page) -> None:
    page.goto("/apps")
    sign_in(page, journey.admin.email)
    page.get_by_role("textbox", name="Name (required)").fill("Warehouse sync")
    page.get_by_role("checkbox", name=re.compile("^Client credentials")).check()
    page.get_by_label(re.compile(r"\(successplays:trigger_manual\)")).check()
    page.get_by_label("Acts as (client credentials)").select_option(journey.admin.email)
    page.get_by_role("button", name="Register").click()

    expect(page.get_by_role("heading", name="Warehouse sync")).to_be_visible()
    client_id = page.locator("#client-id").inner_text()
    secret = page.locator("#client-secret").inner_text()
    token = httpx.post(
        journey.base_url + "/oauth/token",
        data={"grant_type": "client_credentials", "scope": "successplays:trigger_manual"},
        auth=(client_id, secret),
        timeout=30,
    )
    assert token.status_code == 200, token.text
    assert token.json()["token_type"].lower() == "bearer"
    assert token.json()["access_token"]


def test_a_non_admin_is_refused_every_admin_page(journey: PagesWorld, page: Page) -> None:
    page.goto("/")
    sign_in(page, journey.csm.email)
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    expect(page.get_by_role("link", name="SuccessPlays")).to_have_count(0)  # not in the menu
    run = journey.run(journey.task_play, "acme").run
    ids = admin_page_ids(journey, run.id)
    for path in ADMIN_PAGES:
        answer = page.goto(path.format(**ids))
        assert answer is not None
        assert answer.status == 403, path
        expect(page.get_by_role("heading", level=1)).to_have_text("You cannot open this page")


def test_the_api_docs_render_with_the_network_restricted_to_the_server(
    journey: PagesWorld, page: Page
) -> None:
    outside: list[str] = []

    def only_the_server(route: Route) -> None:
        if route.request.url.startswith(journey.base_url + "/"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_server)
    # Both viewers parse megabytes of script: generous waits for a machine busy with the
    # other test workers (their speed is not what this checks).
    page.goto("/docs", timeout=60_000)
    operation = page.get_by_text("Run a manual SuccessPlay on an account").first
    expect(operation).to_be_visible(timeout=60_000)
    page.goto("/redoc", timeout=60_000)
    heading = page.get_by_role("heading", name="Run a manual SuccessPlay on an account")
    expect(heading).to_be_visible(timeout=60_000)
    assert outside == []
