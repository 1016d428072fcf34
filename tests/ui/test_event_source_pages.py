"""Event sources in the admin console, in Chromium: an admin creates a source, copies the
secret shown once, adds a rule, tries it on a sample event (nothing written), and sees the
event a system then posts processed, with a link to the run it made."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from playwright.sync_api import Page, expect

from playrunner.webhooks import signing
from tests.ui.test_journeys import sign_in
from tests.worlds import PagesWorld

pytestmark = pytest.mark.settings(secret_key="pages-test-key", webhook_sweep_seconds=0.5)
EVENT = {"type": "job_change", "data": {"company": {"id": "acme"}}}


def test_an_admin_connects_a_system_and_its_events_run_a_play(
    journey: PagesWorld, page: Page
) -> None:
    page.goto("/event-sources")
    sign_in(page, journey.admin.email)
    expect(page.get_by_role("heading", name="No event sources yet")).to_be_visible()
    page.get_by_label("Name").fill("LinkedIn")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("status").first).to_contain_text("Event source created.")
    secret = page.locator("#signing-secret").inner_text().strip()
    assert secret.startswith("whsec_")
    assert page.locator("#source-token").inner_text().strip().startswith("pr_evt_")

    page.get_by_label("Name").fill("Champion changed jobs")
    page.get_by_label("When (one per line: path = value)").fill("type = job_change")
    page.get_by_label("Account id at").fill("data.company.id")
    page.get_by_label("Then").select_option("run_play")
    page.get_by_label("Play to run").select_option(label="Salesforce follow-up")
    page.get_by_role("button", name="Add the rule").click()
    expect(page.get_by_role("status").first).to_contain_text("Rule added.")
    assert not page.locator("#signing-secret").count()  # shown once
    assert not page.locator("#source-token").count()
    rule = page.get_by_role("row", name=re.compile("Champion changed jobs"))
    expect(rule).to_contain_text("Salesforce follow-up")
    source_url = page.url.split("?")[0]
    source_id = source_url.rstrip("/").split("/")[-1]

    page.get_by_label("Sample event (JSON)").fill(json.dumps(EVENT))
    page.get_by_role("button", name="Try it").click()
    result = page.locator("#test-result")
    expect(result).to_contain_text("would run the play on acme")
    expect(result).to_contain_text("Follow up with Acme Inc.")
    expect(page.get_by_role("heading", name="No events yet")).to_be_visible()  # nothing ran

    body = json.dumps(EVENT)
    headers = signing.signature_headers(secret, f"msg_{uuid.uuid4().hex}", datetime.now(UTC), body)
    with httpx.Client(base_url=journey.base_url) as http:
        answer = http.post(f"/api/v1/events/{source_id}", content=body, headers=headers)
    assert answer.status_code == 202, answer.text

    row = page.get_by_role("row", name=re.compile("msg_"))
    for _ in range(100):
        page.goto(source_url)
        if "Processed" in (row.text_content(timeout=15_000) or ""):
            break
    expect(row).to_contain_text("ran the play on acme")
    row.get_by_role("link", name="The run").click()
    expect(page.get_by_role("heading", name=re.compile("Salesforce follow-up"))).to_be_visible()
