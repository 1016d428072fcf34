"""Every table the CLI prints, at 80 columns: no line wider than the terminal, and every id
(and key, client id, scope) whole on one line, so it can be copied into the next command.
The trigger command's tables are in tests/client/test_trigger_command.py."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from rich.console import Console

from playrunner.cli.output import Column, print_table
from tests.cli.runner import Cli, at_width
from tests.processes import clean_environment

WIDTH = 80
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def assert_fits(table: str, *whole: str) -> None:
    """No line wider than WIDTH; each of ``whole`` on one line, uncut."""
    lines = table.splitlines()
    assert [line for line in lines if cell_len(line) > WIDTH] == [], table
    for value in whole:
        assert any(value in line for line in lines), f"{value!r} is not whole:\n{table}"


@pytest.fixture
def narrow(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Cli:
    at_width(monkeypatch, WIDTH)
    return Cli(sqlite_url)


@pytest.fixture
def demo(narrow: Cli) -> dict[str, Any]:
    """The demo, with runs of the task play (one on a child account, run on its parent) and the
    form play, and an OAuth application."""
    info: dict[str, Any] = narrow.json("demo")
    admin = info["admin_email"]
    for play, account in (("task", "acme"), ("form", "initech"), ("task", "globex-emea")):
        narrow("run", info["plays"][play], account, "--as", admin)
    narrow("run", info["parent_play"], "globex-emea", "--as", admin)
    narrow(
        *("apps", "create", "--name", "Salesforce button from the sales team's org"),
        *("--grant", "client_credentials", "--scope", "successplays:trigger_manual"),
        *("--scope", "successplays:read", "--acting-user", admin),
    )
    return info


def test_runs_list(narrow: Cli, demo: dict[str, Any]) -> None:
    runs = narrow.json("runs", "list")
    table = narrow("runs", "list").stdout
    assert_fits(table, *(run["id"] for run in runs))
    assert "Not shown at this width: by, source, tasks, forms" in table


def test_tasks_list(narrow: Cli, demo: dict[str, Any]) -> None:
    tasks = narrow.json("tasks", "list")
    table = narrow("tasks", "list").stdout
    assert_fits(table, *(task["id"] for task in tasks), "Not Started")
    assert "Follow up with" in table


def test_forms_pending(narrow: Cli, demo: dict[str, Any]) -> None:
    (request,) = narrow.json("forms", "pending")
    table = narrow("forms", "pending").stdout
    assert_fits(table, request["id"], "initech", "reference (boolean)")


def test_users_list(narrow: Cli, demo: dict[str, Any]) -> None:
    table = narrow("users", "list").stdout
    assert_fits(table, *(user["email"] for user in narrow.json("users", "list")))


def test_tokens_list(narrow: Cli, demo: dict[str, Any]) -> None:
    email = demo["admin_email"]
    narrow("tokens", "create", "--email", email, "--name", "nightly export to the warehouse")
    tokens = narrow.json("tokens", "list", "--email", email)
    table = narrow("tokens", "list", "--email", email).stdout
    assert_fits(table, *(token["id"] for token in tokens), *(token["hint"] for token in tokens))
    assert f"until {tokens[0]['expires_at'][:10]}" in table


def test_apps_list_and_scopes(narrow: Cli, demo: dict[str, Any]) -> None:
    (registered,) = narrow.json("apps", "list")
    apps = narrow("apps", "list").stdout
    assert_fits(apps, registered["client_id"])
    scopes = narrow("apps", "scopes").stdout
    assert_fits(scopes, *(scope["scope"] for scope in narrow.json("apps", "scopes")))


def test_plays_list(narrow: Cli, demo: dict[str, Any]) -> None:
    table = narrow("plays", "list").stdout
    assert_fits(table, *demo["plays"].values(), demo["parent_play"])


def test_plays_list_with_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at_width(monkeypatch, WIDTH)
    cli = Cli(f"sqlite:///{tmp_path / 'keyed.db'}")
    cli("init", "--service-name", "Acme CS", "--admin-email", "ops@acme.test")
    cli("apply", str(EXAMPLES / "plays.yaml"))
    plays = cli.json("plays", "list")
    table = cli("plays", "list").stdout
    assert_fits(table, *(str(p["id"]) for p in plays), *(p["key"] for p in plays))


def test_accounts_import_rejected_rows(narrow: Cli, tmp_path: Path) -> None:
    narrow("init", "--service-name", "Acme CS", "--admin-email", "ops@acme.test")
    path = tmp_path / "accounts.csv"
    path.write_text(
        "id,name,parent,role:Success Manager\n"
        "acme,Acme,,ops@acme.test\n"
        "ghost,Ghost Incorporated International Holdings,,nobody-we-know@acme.test\n"
        "orphan,Orphan,a-parent-account-that-does-not-exist,\n",
        encoding="utf-8",
    )
    table = narrow("accounts", "import", str(path), ok=False).stdout
    assert_fits(table, "ghost", "orphan")
    assert "nobody-we-know@acme.test" in " ".join(table.split())  # the reason wraps, whole


def test_a_wide_terminal_shows_every_column(
    narrow: Cli, demo: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    at_width(monkeypatch, 200)
    table = narrow("runs", "list").stdout
    assert "Not shown" not in table
    assert "avery.admin@demo.playrunner.dev" in table
    assert "globex (for globex-emea)" in table


def test_a_real_process_reads_the_width_from_the_terminal(
    narrow: Cli, demo: dict[str, Any], sqlite_url: str
) -> None:
    tasks = narrow.json("tasks", "list")
    listed = subprocess.run(
        [sys.executable, "-m", "playrunner", "tasks", "list"],
        env=clean_environment(PLAYRUNNER_DATABASE_URL=sqlite_url, COLUMNS=str(WIDTH)),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert_fits(listed.stdout, *(task["id"] for task in tasks))
    assert "Not shown at this width" in listed.stdout


def test_text_is_cut_short_and_ids_are_not() -> None:
    console = Console(width=WIDTH, record=True, file=io.StringIO())
    identifier = "0190d7a4-6c2e-7b3a-9f1e-2d4c6b8a0e13"
    print_table(
        "Things",
        [Column("id", "whole"), "title", Column("extra", drop=1), Column("[not markup]", "whole")],
        [[identifier, "word " * 30, "x" * 40, "[bold]as written[/bold]"]],
        target=console,
    )
    text = console.export_text()
    assert_fits(text, identifier, "[bold]as written[/bold]", "[not markup]")
    assert re.search(r"  (word )+w?…  ", text), text  # cut short, on its one line
    assert "Not shown at this width: extra" in text
    assert UUID.findall(text) == [identifier]
