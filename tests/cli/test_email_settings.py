"""``playrunner users email-notifications`` and ``playrunner service``: the same rules as the
API (a user's own choice; forcing, by an admin only)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cli.runner import Cli


@pytest.fixture
def cli(database_url: str) -> Cli:
    return Cli(database_url)


@pytest.fixture
def demo(cli: Cli) -> dict[str, Any]:
    info: dict[str, Any] = cli.json("demo")
    return info


def emails_of(cli: Cli, email: str) -> bool:
    (user,) = [u for u in cli.json("users", "list") if u["email"] == email]
    wanted: bool = user["email_notifications"]
    return wanted


def test_a_user_is_taken_off_and_back_on(cli: Cli, demo: dict[str, Any]) -> None:
    jane = demo["user_email"]
    assert emails_of(cli, jane) is True
    said = cli("users", "email-notifications", jane, "off")
    assert f"Emails about assigned work are off for {jane}." in said.stdout
    assert emails_of(cli, jane) is False
    cli("users", "email-notifications", jane, "on")
    assert emails_of(cli, jane) is True
    refused = cli("users", "email-notifications", jane, "maybe", ok=False)
    assert refused.exit_code != 0
    assert "say on or off" in refused.output + refused.stderr


def test_an_admin_forces_emails_on_and_a_user_may_not(cli: Cli, demo: dict[str, Any]) -> None:
    shown = cli.json("service", "show")
    assert (shown["force_email_notifications"], shown["email_configured"]) == (False, False)
    assert "each user's choice" in cli("service", "show").stdout

    admin = demo["admin_email"]
    forced = cli.json("service", "set", "--force-email-notifications", "--as", admin)
    assert forced["force_email_notifications"] is True
    assert "on for everyone" in cli("service", "show").stdout

    refused = cli(
        "service", "set", "--no-force-email-notifications", "--as", demo["user_email"], ok=False
    )
    assert refused.exit_code != 0
    assert "SERVICE_ADMIN" in refused.output + refused.stderr
    assert cli.json("service", "show")["force_email_notifications"] is True
