"""Screenshots of the web app's main pages for docs/screenshots/, taken from the demo (`make
screenshots`): a demo service on a throwaway database, some work for Jane, and Chromium.
The admin's pages are taken as an admin uses them: a play built in the editor, then run with
the curl its page prints."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright
from tests.loopback_http import LoopbackHTTPServer

from playrunner.webhooks import signing

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
CHROMIUM = os.environ.get("PLAYRUNNER_TEST_CHROMIUM", "/usr/bin/chromium")
SALESFORCE_ID = "001Dn00000AbCdEIAV"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        env = {
            **os.environ,
            "PLAYRUNNER_DATABASE_URL": f"sqlite:///{scratch}/demo.db",
            "PLAYRUNNER_SECRET_KEY": "screenshots",
            # The webhook receiver below is on this machine.
            "PLAYRUNNER_WEBHOOKS_ALLOW_PRIVATE_NETWORKS": "true",
        }
        playrunner = [sys.executable, "-m", "playrunner"]
        demo = json.loads(subprocess.check_output([*playrunner, "demo", "--json"], env=env))
        server = subprocess.Popen(
            [*playrunner, "serve", "--port", str(PORT)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(BASE + "/healthz")
            some_work(demo)
            shoot(demo)
        finally:
            server.terminate()
            server.wait(10)


def wait_for(url: str) -> None:
    for _ in range(100):
        try:
            if httpx.get(url).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


def some_work(demo: dict[str, object]) -> None:
    """Plays run on Jane's accounts, and two tasks that are late, as a real week looks."""
    headers = {"app-token": str(demo["admin_token"])}
    plays = demo["plays"]
    assert isinstance(plays, dict)
    with httpx.Client(base_url=BASE, headers=headers) as api:
        for account in ("acme", "umbrella", "wayne", "dunder"):
            api.post(
                "/api/v2/automations/run-manual-successplay",
                json={"successplayId": plays["task"], "accountId": account},
            ).raise_for_status()
        for account in ("acme", "gekko"):
            api.post(
                "/api/v2/automations/run-manual-successplay",
                json={"successplayId": plays["form"], "accountId": account},
            ).raise_for_status()
        for title, account, days in (
            ("Send the renewal quote", "cyberdyne", -4),
            ("Book the quarterly business review", "wonka", -1),
            ("Check onboarding progress", "prestige", 12),
        ):
            api.post(
                "/api/v3/tasks",
                json={
                    "title": title,
                    "description": "Created by the team lead.",
                    "account_id": account,
                    "assignee": "jane.csm@demo.playrunner.dev",
                    "due_date": (date.today() + timedelta(days=days)).isoformat(),
                    "activity_type_id": "renewal",
                },
            ).raise_for_status()


def shoot(demo: dict[str, object]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860}, base_url=BASE)
        page.goto("/")
        save(page, "sign-in")
        page.get_by_label("Email").fill(str(demo["user_email"]))
        page.get_by_label("Password").fill(str(demo["user_password"]))
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/my-work")
        save(page, "my-work")
        page.get_by_role("link", name="Follow up with Acme Inc.").click()
        page.get_by_label("Completed").check()
        page.get_by_role("button", name="Save").click()
        save(page, "task-touchpoint-required")
        page.goto("/my-work")
        page.get_by_role("link", name="Fill in: Account sentiment").first.click()
        save(page, "form-request")
        page.goto("/accounts")
        save(page, "accounts")
        page.goto("/accounts/acme")
        page.get_by_role("link", name="Run Executive escalation on Acme Inc.").click()
        save(page, "run-preview")
        page.get_by_role("button", name="Run Executive escalation").click()
        save(page, "account-after-run")
        shoot_run_link(page, demo)
        page.context.close()
        admin = browser.new_page(viewport={"width": 1280, "height": 860}, base_url=BASE)
        shoot_admin(admin, demo)
        browser.close()


def shoot_run_link(page: Page, demo: dict[str, object]) -> None:
    """What a Salesforce button opens: the run link, the account named by its Salesforce id."""
    plays = demo["plays"]
    assert isinstance(plays, dict)
    httpx.patch(
        BASE + "/api/v1/accounts/acme",
        headers={"app-token": str(demo["admin_token"])},
        json={"external_ids": {"salesforce": SALESFORCE_ID}},
    ).raise_for_status()
    page.goto(f"/run/{plays['task']}?account={SALESFORCE_ID[:15]}")
    save(page, "run-link")
    page.get_by_role("button", name="Run").click()
    page.wait_for_url("**&ran=*")
    save(page, "run-link-result")


def shoot_admin(page: Page, demo: dict[str, object]) -> None:
    page.goto("/successplays/new")
    page.get_by_label("Email").fill(str(demo["admin_email"]))
    page.get_by_label("Password").fill(str(demo["admin_password"]))
    page.get_by_role("button", name="Sign in").click()
    build_and_run_a_play(page, demo)
    shoot_configuration(page, demo)


def build_and_run_a_play(page: Page, demo: dict[str, object]) -> None:
    """A play built in the editor, then run with the curl its page prints."""
    page.get_by_role("textbox", name="Name (required)").fill("QBR preparation")
    page.get_by_label("Description").first.fill("Prepare the quarterly business review.")
    page.get_by_label("Manual (from the trigger API").check()
    task = page.get_by_role("region", name="1. Create a task")
    task.get_by_label("Title").fill("Prepare the QBR deck for {{ account.name }}")
    task.get_by_label("Description").fill(
        "Segment: {{ account.attributes.segment }}. Asked by {{ runner.name }}."
    )
    task.get_by_label("High").check()
    page.get_by_role("button", name="Add a form request").click()
    form = page.get_by_role("region", name="2. Request information")
    form.get_by_label("Form").select_option("Account sentiment")
    form.get_by_label("Instructions").fill("How is {{ account.name }} ahead of the QBR?")
    page.get_by_label("Preview the templates on an account").fill("acme")
    page.get_by_role("button", name="Preview").click()
    save(page, "play-editor")
    page.get_by_role("button", name="Save SuccessPlay").click()
    page.wait_for_url("**/successplays/*")
    curl = page.locator("#curl").inner_text()
    for account in ("acme", "umbrella"):
        statement = curl.replace("APP_TOKEN", str(demo["admin_token"]))
        sent = subprocess.run(
            ["bash", "-c", statement.replace("{account-id}", account)],
            check=True,
            capture_output=True,
            text=True,
        )
        assert sent.stdout == "Success", sent.stdout
    page.goto(page.url.split("?")[0])
    save(page, "play")
    page.get_by_role("link", name="SuccessPlays").first.click()
    save(page, "plays")
    page.goto("/runs")
    save(page, "runs")
    page.get_by_role("row").nth(1).get_by_role("link").first.click()
    save(page, "run")


def shoot_configuration(page: Page, demo: dict[str, object]) -> None:
    page.goto("/forms")
    page.get_by_role("link", name="Account sentiment").click()
    save(page, "form-editor")
    page.goto("/setup")
    save(page, "flows-and-roles")
    page.goto("/users")
    save(page, "users")
    page.goto("/tokens")
    page.get_by_role("textbox", name="Name (required)").fill("Salesforce button")
    page.get_by_label("30 days").check()
    page.get_by_role("button", name="Create token").click()
    save(page, "tokens")
    page.goto("/apps")
    page.get_by_role("textbox", name="Name (required)").fill("Data warehouse sync")
    page.get_by_role("checkbox", name="Client credentials").check()
    page.get_by_role("checkbox", name="(successplays:trigger_manual)").check()
    page.get_by_label("Acts as (client credentials)").select_option(str(demo["admin_email"]))
    page.get_by_role("button", name="Register").click()
    save(page, "oauth-app")
    with tempfile.TemporaryDirectory() as scratch:
        upload = Path(scratch) / "accounts.csv"
        upload.write_text(
            "id,name,parent,attr:segment,role:Success Manager\n"
            "stark,Stark Industries,,Enterprise,jane.csm@demo.playrunner.dev\n"
            "oscorp,Oscorp,,Mid-market,nobody@demo.playrunner.dev\n"
            "tyrell,Tyrell Corporation,,Enterprise,lena.csm@demo.playrunner.dev\n"
        )
        page.goto("/accounts/import")
        page.get_by_label("CSV file").set_input_files(upload)
        page.get_by_role("button", name="Import").click()
        page.get_by_role("heading", name="Imported accounts.csv").wait_for()
    save(page, "account-import")
    page.goto("/docs")
    page.get_by_text("Run a manual SuccessPlay on an account").first.wait_for()
    save(page, "api-docs", full_page=False)
    shoot_webhooks(page, demo)
    shoot_events(page, demo)
    shoot_criteria(page)


def shoot_webhooks(page: Page, demo: dict[str, object]) -> None:
    """An endpoint registered in the console, then what a run sent it."""
    server, received = receiver()
    with server:
        url = server.url + "/hooks/playrunner"
        page.goto("/webhooks")
        page.get_by_label("URL").fill(url)
        page.get_by_label("Every event").uncheck()
        for event in ("run.created", "task.created", "task.updated"):
            page.get_by_label(event, exact=True).check()
        page.get_by_label("Description").fill("CRM sync")
        page.get_by_role("button", name="Register").click()
        save(page, "webhook-registered")
        headers = {"app-token": str(demo["admin_token"])}
        plays = demo["plays"]
        assert isinstance(plays, dict)
        for account in ("acme", "globex"):
            body = {"successplayId": plays["task"], "accountId": account}
            httpx.post(
                BASE + "/api/v2/automations/run-manual-successplay", json=body, headers=headers
            )
        for _ in range(100):
            if len(received) >= 4:
                break
            time.sleep(0.1)
        page.goto("/webhooks")
        page.get_by_role("link", name=url).click()
        save(page, "webhook-deliveries")


def shoot_events(page: Page, demo: dict[str, object]) -> None:
    """An event source made in the console: a rule, tried on a sample, then a signed event a
    system posted, processed."""
    plays = demo["plays"]
    assert isinstance(plays, dict)
    page.goto("/event-sources")
    page.get_by_label("Name").fill("LinkedIn Sales Navigator")
    page.get_by_label("Description").fill("Job changes of our champions")
    page.get_by_role("button", name="Create").click()
    secret = page.locator("#signing-secret").inner_text().strip()
    source_url = page.url
    page.get_by_label("Name").fill("Champion changed jobs")
    page.get_by_label("When (one per line: path = value)").fill("type = job_change")
    page.get_by_label("Account id at").fill("data.company.id")
    page.get_by_label("Then").select_option("run_play")
    page.get_by_label("Play to run").select_option(str(plays["form"]))
    page.get_by_role("button", name="Add the rule").click()
    source_url = page.url.split("?")[0]
    event = {"type": "job_change", "data": {"person": {"title": "CTO"}, "company": {"id": "acme"}}}
    body = json.dumps(event)
    headers = signing.signature_headers(secret, "evt_20261130_0001", datetime.now(UTC), body)
    path = source_url.removeprefix(BASE).replace("/event-sources/", "/api/v1/events/")
    httpx.post(BASE + path, content=body, headers=headers).raise_for_status()
    for _ in range(100):
        page.goto(source_url)
        if page.get_by_text("Processed").count():
            break
        time.sleep(0.1)
    page.get_by_label("Sample event (JSON)").fill(json.dumps(event, indent=2))
    page.get_by_role("button", name="Try it").click()
    page.locator("#test-result").wait_for()
    save(page, "event-source")


def shoot_criteria(page: Page) -> None:
    """An event play's criteria in the editor."""
    page.goto("/successplays/new")
    page.locator("#name").fill("Renewal at risk")
    page.locator("#description").fill("Sentiment is poor and the renewal is near")
    page.get_by_label("Manual (from the trigger API, an account page, the CLI)").uncheck()
    page.get_by_label("Event (when an account meets criteria)").check()
    page.locator("#conditions\\[0\\]\\.attribute").fill("sentiment")
    page.locator("#conditions\\[0\\]\\.op").select_option("in")
    page.locator("#conditions\\[0\\]\\.value").fill("Red, Yellow")
    page.locator("#conditions\\[1\\]\\.attribute").fill("renewal_date")
    page.locator("#conditions\\[1\\]\\.op").select_option("within_days")
    page.locator("#conditions\\[1\\]\\.value").fill("60")
    page.get_by_role("heading", name="Event criteria").scroll_into_view_if_needed()
    save(page, "play-criteria", full_page=False)


def receiver() -> tuple[LoopbackHTTPServer, list[str]]:
    """A webhook receiver on this machine that answers 200 to everything, and what it got."""
    received: list[str] = []

    def handle(request: BaseHTTPRequestHandler) -> None:
        received.append(request.rfile.read(int(request.headers.get("content-length", 0))).decode())
        request.send_response(200)
        request.send_header("Content-Length", "0")
        request.end_headers()

    return LoopbackHTTPServer(handle), received


def save(page: Page, name: str, *, full_page: bool = True) -> None:
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=full_page)
    print(f"docs/screenshots/{name}.png")


if __name__ == "__main__":
    main()
