"""The ``playrunner`` command, end to end on a real SQLite file."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine

from playrunner.accounts import service as accounts_service
from playrunner.db import Database
from playrunner.demo.seed import DEMO_TENANT_ID
from playrunner.errors import AuthenticationFailed
from playrunner.models import UserRole
from playrunner.tokens import service as tokens_service
from playrunner.users import service as users_service
from tests.cli.runner import Cli


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


def authenticates(database_url: str, secret: str) -> bool:
    database = Database(database_url)
    try:
        with database.session(read_only=True) as session:
            tokens_service.authenticate(session, secret)
    except AuthenticationFailed:
        return False
    finally:
        database.dispose()
    return True


def test_demo_again_keeps_the_tokens_it_printed(
    cli: Cli, demo: dict[str, Any], database_url: str
) -> None:
    again = cli.json("demo")

    assert (again["admin_token"], again["user_token"]) == (None, None)  # none issued this time
    assert again["admin_token_hint"] == "prpat_…" + demo["admin_token"][-4:]
    assert again["user_token_hint"] == "prpat_…" + demo["user_token"][-4:]
    assert authenticates(database_url, demo["admin_token"])
    assert authenticates(database_url, demo["user_token"])
    (token,) = cli.json("tokens", "list", "--email", demo["admin_email"])
    assert token["revoked_at"] is None
    assert again["plays"] == demo["plays"]
    assert again["accounts"] == demo["accounts"]
    users = cli.json("users", "list")
    assert len(users) == len({u["email"] for u in users}) == 5


def test_demo_banner_says_whether_its_tokens_are_new_or_the_ones_printed_before(
    cli: Cli, database_url: str
) -> None:
    first = cli("demo").stdout
    admin_token = re.search(r"Admin token:\s+(prpat_\w+)", first)
    assert admin_token is not None, first
    assert "new, valid until" in first
    assert "New tokens are shown only this once" in first
    assert "app-token: " + admin_token.group(1) in first  # the curl statement works as pasted

    second = cli("demo").stdout

    hint = "prpat_…" + admin_token.group(1)[-4:]
    (issued,) = cli.json("tokens", "list", "--email", "avery.admin@demo.playrunner.dev")
    assert f"Admin token:  {hint}" in second
    assert f"printed on {issued['created_at'][:10]}" in second
    assert admin_token.group(1) not in second
    assert "New tokens" not in second
    assert "A token printed earlier keeps working" in " ".join(second.split())
    assert "demo --new-tokens" in second
    assert '"app-token: $ADMIN_TOKEN"' in second  # the curl statement names what to set
    assert authenticates(database_url, admin_token.group(1))


def test_demo_new_tokens_prints_new_ones_and_the_earlier_ones_keep_working(
    cli: Cli, demo: dict[str, Any], database_url: str
) -> None:
    again = cli.json("demo", "--new-tokens")

    assert again["admin_token"].startswith("prpat_")
    assert again["admin_token"] != demo["admin_token"]
    assert again["user_token"] != demo["user_token"]
    for secret in (demo["admin_token"], again["admin_token"], again["user_token"]):
        assert authenticates(database_url, secret)
    assert cli.json("demo")["admin_token_hint"] == "prpat_…" + again["admin_token"][-4:]


def test_demo_issues_new_tokens_once_the_earlier_ones_expired_or_were_revoked(
    cli: Cli, demo: dict[str, Any], database_url: str
) -> None:
    (user_token,) = cli.json("tokens", "list", "--email", demo["user_email"])
    cli("tokens", "revoke", user_token["id"], "--email", demo["user_email"])
    revoked_user = cli.json("demo")
    assert revoked_user["admin_token"] is None
    assert revoked_user["user_token"].startswith("prpat_")

    with time_machine.travel(datetime.now(UTC) + timedelta(days=31), tick=False):
        expired = cli.json("demo")
        assert authenticates(database_url, expired["admin_token"])
        assert not authenticates(database_url, demo["admin_token"])  # it expired


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


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def keyed(cli: Cli, tmp_path: Path) -> str:
    """A service with examples/plays.yaml applied (plays with keys) and the account acme;
    the admin's email."""
    cli("init", "--service-name", "Acme CS", "--admin-email", "ops@acme.test")
    cli("apply", str(EXAMPLES / "plays.yaml"))
    accounts = tmp_path / "accounts.csv"
    accounts.write_text("id,name,role:Success Manager\nacme,Acme,ops@acme.test\n")
    cli("accounts", "import", str(accounts))
    return "ops@acme.test"


def test_plays_list_shows_each_play_with_its_id_and_key(cli: Cli, keyed: str) -> None:
    plays = {p["key"]: p for p in cli.json("plays", "list")}
    assert set(plays) == {"salesforce-follow-up", "sentiment-check"}
    follow_up = plays["salesforce-follow-up"]
    assert (follow_up["name"], follow_up["triggers"], follow_up["active"]) == (
        "Salesforce follow-up",
        ["manual"],
        True,
    )
    table = cli("plays", "list").stdout
    assert str(follow_up["id"]) in table
    assert "salesforce-follow-up" in table
    assert cli.json("plays", "list", "--trigger", "event") == []
    assert [p["key"] for p in cli.json("plays", "list", "--status", "active")] == sorted(
        plays, key=lambda key: plays[key]["name"]
    )


def test_run_and_runs_list_take_a_play_by_its_key(cli: Cli, keyed: str) -> None:
    ran = cli.json("run", "salesforce-follow-up", "acme", "--as", keyed)
    play_id = next(p["id"] for p in cli.json("plays", "list") if p["key"] == "salesforce-follow-up")

    by_key = cli.json("runs", "list", "--play", "salesforce-follow-up")
    by_id = cli.json("runs", "list", "--play", play_id)

    assert [r["id"] for r in by_key] == [r["id"] for r in by_id] == [ran["runId"]]
    assert by_key[0]["play_id"] == play_id
    assert cli.json("runs", "list", "--play", "sentiment-check") == []


def test_a_key_no_play_has_is_refused_in_the_apis_words_or_named(cli: Cli, keyed: str) -> None:
    ran = cli("run", "no-such-play", "acme", "--as", keyed, ok=False)
    assert (ran.exit_code, ran.stderr.strip()) == (1, "Error: SuccessPlay not found")
    listed = cli("runs", "list", "--play", "no-such-play", ok=False)
    assert "No SuccessPlay has the id or key 'no-such-play'" in listed.stderr
    # The role is checked first, as the API does: a user who may not run plays hears that.
    cli("users", "create", "jane@acme.test", "--name", "Jane")
    refused = cli("run", "no-such-play", "acme", "--as", "jane@acme.test", ok=False)
    assert "User is not authorized with role: SERVICE_ADMIN" in refused.stderr


def test_a_setting_that_cannot_be_read_is_named(database_url: str) -> None:
    cli = Cli(database_url)
    cli.env["PLAYRUNNER_PORT"] = "abc"
    result = cli("migrate", ok=False)
    assert result.exit_code == 1
    assert "Invalid setting: PLAYRUNNER_PORT: Input should be a valid integer" in (
        result.output + result.stderr
    )
