"""``playrunner webhooks``: register, list, change, rotate, see deliveries, redeliver, delete,
as an admin, on a real database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from playrunner.webhooks import signing
from playrunner.webhooks.schemas import EndpointRead
from tests.cli.runner import Cli

ADMIN = "avery.admin@demo.playrunner.dev"
USER = "jane.csm@demo.playrunner.dev"


@pytest.fixture
def cli(database_url: str) -> Cli:
    cli = Cli(database_url)
    cli.env |= {
        "PLAYRUNNER_SECRET_KEY": "cli-test-key",
        "PLAYRUNNER_WEBHOOKS_ALLOW_PRIVATE_NETWORKS": "true",
    }
    return cli


@pytest.fixture
def demo(cli: Cli) -> dict[str, Any]:
    info: dict[str, Any] = cli.json("demo")
    return info


def test_an_admin_manages_endpoints_and_sees_deliveries(cli: Cli, demo: dict[str, Any]) -> None:
    created: dict[str, Any] = cli.json(
        "webhooks",
        "create",
        "--url",
        "http://127.0.0.1:9/hook",
        "--event",
        "run.created",
        "--as",
        ADMIN,
    )
    endpoint_id = created["id"]
    secret = created["secret"]
    # The secret printed is one receivers verify with.
    signed = signing.signature_headers(secret, "msg_1", datetime.now(UTC), "{}")
    Webhook(secret).verify("{}", signed)

    listed = cli("webhooks", "list", "--as", ADMIN).stdout
    assert endpoint_id in listed
    assert "run.created" in listed
    assert "enabled" in listed
    assert secret not in listed

    run = cli.json("run", demo["plays"]["task"], demo["accounts"][0], "--as", ADMIN)
    (delivery,) = cli.json("webhooks", "deliveries", endpoint_id, "--as", ADMIN)
    assert (delivery["event_type"], delivery["status"]) == ("run.created", "pending")
    assert run
    cli("webhooks", "redeliver", delivery["id"], "--as", ADMIN)
    cli("webhooks", "update", endpoint_id, "--event", "*", "--disable", "--as", ADMIN)
    (shown,) = cli.json("webhooks", "list", "--as", ADMIN)
    assert EndpointRead.model_validate(shown).events == ["*"]
    assert shown["enabled"] is False

    rotated = cli.json("webhooks", "rotate-secret", endpoint_id, "--as", ADMIN)
    assert rotated["secret"] != secret

    table = cli("webhooks", "deliveries", endpoint_id, "--as", ADMIN).stdout
    assert delivery["id"] in table
    assert "run.created" in table
    cli("webhooks", "delete", endpoint_id, "--as", ADMIN)
    assert "No webhook endpoints yet" in cli("webhooks", "list", "--as", ADMIN).stdout


def test_bad_input_and_non_admins_are_refused_with_the_reason(
    cli: Cli, demo: dict[str, Any]
) -> None:
    refused = cli("webhooks", "list", "--as", USER, ok=False)
    assert refused.exit_code != 0
    assert "SERVICE_ADMIN" in refused.output + refused.stderr
    bad = cli(
        "webhooks", "create", "--url", "ftp://x", "--event", "run.created", "--as", ADMIN, ok=False
    )
    assert "http:// or https://" in bad.output + bad.stderr
    unknown = cli(
        "webhooks",
        "create",
        "--url",
        "http://127.0.0.1:9/h",
        "--event",
        "nope",
        "--as",
        ADMIN,
        ok=False,
    )
    assert "unknown event type 'nope'" in unknown.output + unknown.stderr
