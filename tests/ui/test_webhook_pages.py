"""Webhooks in the admin console, in Chromium: an admin registers an endpoint, copies the
secret shown once, sees the deliveries a run makes with their attempts, redelivers one and
disables the endpoint."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect
from standardwebhooks.webhooks import Webhook

from tests.ui.test_journeys import sign_in
from tests.webhooks.receiver import Receiver
from tests.worlds import PagesWorld, body, trigger

pytestmark = pytest.mark.settings(
    webhooks_allow_private_networks=True,
    secret_key="pages-test-key",
    webhook_sweep_seconds=0.5,
    webhook_retry_base_seconds=0.2,
)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def test_an_admin_registers_an_endpoint_and_follows_its_deliveries(
    journey: PagesWorld, page: Page, receiver: Receiver
) -> None:
    receiver.statuses = [500]  # the first try fails, the retry succeeds
    page.goto("/webhooks")
    sign_in(page, journey.admin.email)
    expect(page.get_by_role("heading", name="No endpoints yet")).to_be_visible()

    page.get_by_label("URL").fill(receiver.url)
    page.get_by_label("Every event").uncheck()
    page.get_by_label("run.created").check()
    page.get_by_label("Description").fill("CRM sync")
    page.get_by_role("button", name="Register").click()

    expect(page.get_by_role("status").first).to_contain_text("Endpoint registered.")
    secret = page.locator("#signing-secret").inner_text().strip()
    assert secret.startswith("whsec_")

    with httpx.Client(base_url=journey.base_url) as http:
        answer = trigger(http, journey.admin_token, body(journey.task_play, "acme"))
        assert answer.status_code == 200
    received = receiver.wait_for(lambda got: len(got) == 2)
    Webhook(secret).verify(received[1].body, received[1].headers)

    page.goto("/webhooks")
    page.get_by_role("link", name=receiver.url).click()
    assert not page.locator("#signing-secret").count()  # shown once
    row = page.get_by_role("row", name=re.compile("run.created"))
    expect(row).to_contain_text("Delivered")
    expect(row).to_contain_text("500")
    expect(row).to_contain_text("200")

    row.get_by_role("button", name="Redeliver").click()
    expect(page.get_by_role("status").first).to_contain_text("Queued to be sent again.")
    receiver.wait_for(lambda got: len(got) == 3)

    page.get_by_role("button", name="Disable").click()
    expect(page.get_by_role("status").first).to_contain_text("Disabled: nothing is sent.")
    page.goto("/webhooks")
    expect(page.get_by_role("row", name=re.compile("CRM sync"))).to_contain_text("Disabled")
