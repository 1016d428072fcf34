"""Screenshots of the web app's main pages for docs/screenshots/, taken from the demo (`make
screenshots`): a demo service on a throwaway database, some work for Jane, and Chromium."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
CHROMIUM = os.environ.get("PLAYRUNNER_TEST_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "PLAYRUNNER_DATABASE_URL": f"sqlite:///{scratch}/demo.db"}
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
        browser.close()


def save(page: Page, name: str) -> None:
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
    print(f"docs/screenshots/{name}.png")


if __name__ == "__main__":
    main()
