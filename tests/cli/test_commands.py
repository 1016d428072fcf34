"""The ``playrunner`` command, end to end on a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from playrunner.accounts import service as accounts_service
from playrunner.cli.main import app
from playrunner.db import Database
from playrunner.demo.seed import DEMO_TENANT_ID
from playrunner.models import UserRole
from playrunner.users import service as users_service


class Cli:
    def __init__(self, database_url: str) -> None:
        self.env = {"PLAYRUNNER_DATABASE_URL": database_url, "COLUMNS": "250"}
        self.runner = CliRunner()

    def __call__(self, *args: str, ok: bool = True) -> Any:
        result = self.runner.invoke(app, list(args), env=self.env)
        if ok:
            assert result.exit_code == 0, result.output + result.stderr
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json").stdout)


@pytest.fixture
def cli(database_url: str) -> Cli:
    return Cli(database_url)


@pytest.fixture
def demo(cli: Cli) -> dict[str, Any]:
    info: dict[str, Any] = cli.json("demo")
    return info


def test_demo_json_has_what_scripts_need(demo: dict[str, Any], database_url: str) -> None:
    assert demo["service_id"] == DEMO_TENANT_ID
    assert demo["admin_email"] == "avery.admin@demo.playrunner.dev"
    assert demo["user_email"] == "jane.csm@demo.playrunner.dev"
    database = Database(database_url)
    with database.session(read_only=True) as session:
        _, total = accounts_service.page_accounts(session, DEMO_TENANT_ID, limit=1, offset=0)
        admin = users_service.get_by_email(session, DEMO_TENANT_ID, demo["admin_email"])
        user = users_service.get_by_email(session, DEMO_TENANT_ID, demo["user_email"])
    database.dispose()
    assert 45 <= total <= 55  # "about 50 accounts"
    assert (admin.role, user.role) == (UserRole.SERVICE_ADMIN, UserRole.USER)
    assert set(demo["plays"]) == {"task", "form", "event_only", "inactive"}
    assert demo["admin_token"].startswith("prpat_")
    assert demo["user_token"].startswith("prpat_")
    assert len(demo["accounts"]) >= 3


def test_demo_is_idempotent_and_issues_fresh_tokens(cli: Cli, demo: dict[str, Any]) -> None:
    again = cli.json("demo")
    tokens = cli.json("tokens", "list", "--email", demo["admin_email"])
    live = [t for t in tokens if t["revoked_at"] is None]
    assert len(live) == 1  # the previous demo token was revoked, not left to pile up
    assert again["plays"] == demo["plays"]
    assert again["accounts"] == demo["accounts"]
    assert again["admin_token"] != demo["admin_token"]
    users = cli.json("users", "list")
    assert len(users) == len({u["email"] for u in users}) == 5


def test_demo_has_about_fifty_accounts_with_success_managers(
    cli: Cli, demo: dict[str, Any]
) -> None:
    for account in demo["accounts"]:
        result = cli.json("run", demo["plays"]["task"], account, "--as", demo["admin_email"])
        assert result["fallbacks"] == []
    tasks = cli.json("tasks", "list")
    assert {t["assignee"] for t in tasks} <= {
        "jane.csm@demo.playrunner.dev",
        "raj.csm@demo.playrunner.dev",
        "lena.csm@demo.playrunner.dev",
    }


def test_run_then_tasks_list_shows_the_task_for_the_success_manager(
    cli: Cli, demo: dict[str, Any]
) -> None:
    account = demo["accounts"][0]
    result = cli("run", demo["plays"]["task"], account, "--as", demo["admin_email"])
    assert "Success: run" in result.stdout

    tasks = cli.json("tasks", "list", "--account", account)
    (task,) = tasks
    assert task["title"] == "Follow up with Acme Inc."
    assert task["assignee"] == "jane.csm@demo.playrunner.dev"
    assert task["status"] == "not_started"
    table = cli("tasks", "list", "--assignee", "jane.csm@demo.playrunner.dev").stdout
    assert "Follow up with Acme Inc." in table
    runs = cli.json("runs", "list")
    assert runs[0]["source"] == "cli"
    assert runs[0]["task_count"] == 1


@pytest.mark.parametrize(
    ("play", "account", "message"),
    [
        ("inactive", "acme", "SuccessPlay not found"),
        ("event_only", "acme", "SuccessPlay is not configured as manual"),
        ("task", "no-such-account", "Account not found"),
    ],
)
def test_run_refuses_like_the_api(
    cli: Cli, demo: dict[str, Any], play: str, account: str, message: str
) -> None:
    result = cli("run", demo["plays"][play], account, "--as", demo["admin_email"], ok=False)
    assert result.exit_code == 1
    assert message in result.stderr


def test_run_as_a_non_admin_is_refused(cli: Cli, demo: dict[str, Any]) -> None:
    result = cli("run", demo["plays"]["task"], "acme", "--as", demo["user_email"], ok=False)
    assert result.exit_code == 1
    assert "User is not authorized with role: SERVICE_ADMIN" in result.stderr


def test_the_form_loop_pending_then_submit_updates_the_account(
    cli: Cli, demo: dict[str, Any]
) -> None:
    cli("run", demo["plays"]["form"], "initech", "--as", demo["admin_email"])
    (pending,) = cli.json("forms", "pending", "--as", "lena.csm@demo.playrunner.dev")
    assert pending["form"] == "Account sentiment"
    assert pending["account_id"] == "initech"

    bad = cli(
        "forms",
        "submit",
        pending["id"],
        "--as",
        "lena.csm@demo.playrunner.dev",
        "--answer",
        "sentiment=Purple",
        ok=False,
    )
    assert "sentiment: must be one of Green, Yellow, Red" in bad.stderr

    good = cli(
        "forms",
        "submit",
        pending["id"],
        "--as",
        "lena.csm@demo.playrunner.dev",
        "--answer",
        "sentiment=Red",
        "--answer",
        "reference=true",
    )
    assert "sentiment = 'Red'" in good.stdout
    assert "reference = True" in good.stdout
    assert cli.json("forms", "pending") == []


def test_tokens_create_list_revoke(cli: Cli, demo: dict[str, Any]) -> None:
    created = cli.json(
        "tokens", "create", "--email", demo["admin_email"], "--name", "ci", "--expires", "never"
    )
    assert created["token"].startswith("prpat_")
    assert created["expires_at"] is None
    listed = cli.json("tokens", "list", "--email", demo["admin_email"])
    mine = next(t for t in listed if t["id"] == created["id"])
    assert mine["hint"].endswith(created["token"][-4:])
    assert created["token"] not in json.dumps(listed)

    cli("tokens", "revoke", created["id"], "--email", demo["admin_email"])
    listed = cli.json("tokens", "list", "--email", demo["admin_email"])
    assert next(t for t in listed if t["id"] == created["id"])["revoked_at"] is not None


def test_tokens_create_refuses_a_bad_expiry(cli: Cli, demo: dict[str, Any]) -> None:
    result = cli(
        "tokens",
        "create",
        "--email",
        demo["admin_email"],
        "--name",
        "x",
        "--expires",
        "5d",
        ok=False,
    )
    assert "Expiry '5d' is not one of 7d, 30d, 60d, 90d, never" in result.stderr


def test_init_creates_a_service_and_admin_and_commands_then_need_service(cli: Cli) -> None:
    first = cli.json("init", "--service-name", "Acme CS", "--admin-email", "ops@acme.test")
    assert first["service_id"].startswith("SP-")
    assert first["token"].startswith("prpat_")
    assert cli.json("users", "list")[0]["role"] == "SERVICE_ADMIN"

    cli("demo")
    ambiguous = cli("users", "list", ok=False)
    assert "Several services exist" in ambiguous.stderr
    chosen = cli.json("users", "list", "--service", first["service_id"])
    assert [u["email"] for u in chosen] == ["ops@acme.test"]


def test_commands_on_an_uninitialised_database_say_what_to_do(tmp_path: Path) -> None:
    result = Cli(f"sqlite:///{tmp_path / 'empty.db'}")("tasks", "list", ok=False)
    assert "playrunner init" in result.stderr


def test_users_set_role_and_deactivate(cli: Cli, demo: dict[str, Any]) -> None:
    cli("users", "set-role", demo["user_email"], "SERVICE_ADMIN")
    cli("users", "deactivate", demo["user_email"])
    users = {u["email"]: u for u in cli.json("users", "list")}
    assert users[demo["user_email"]]["role"] == "SERVICE_ADMIN"
    assert users[demo["user_email"]]["active"] is False
    refused = cli("run", demo["plays"]["task"], "acme", "--as", demo["user_email"], ok=False)
    assert "deactivated" in refused.stderr


def test_tasks_update_enforces_the_touchpoint(cli: Cli, demo: dict[str, Any]) -> None:
    run = cli.json("run", demo["plays"]["task"], "acme", "--as", demo["admin_email"])
    task_id = run["taskIds"][0]
    missing = cli(
        "tasks", "update", task_id, "--status", "completed", "--as", demo["user_email"], ok=False
    )
    assert "requires a touchpoint note" in missing.stderr
    cli(
        "tasks",
        "update",
        task_id,
        "--status",
        "completed",
        "--as",
        demo["user_email"],
        "--touchpoint",
        "Spoke with the champion",
    )
    (task,) = cli.json("tasks", "list", "--account", "acme")
    assert task["status"] == "completed"
