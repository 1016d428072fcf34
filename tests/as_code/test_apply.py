"""Plays declared as code: ``playrunner apply`` and ``playrunner export``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from playrunner.cli.main import app
from playrunner.db import Database
from playrunner.demo.seed import seed_demo
from playrunner.flows import service as flows_service
from playrunner.plays import service as plays_service
from playrunner.tenants import service as tenants_service
from tests.factories import Factory

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "plays.yaml"


class Cli:
    def __init__(self, database_url: str) -> None:
        self.env = {"PLAYRUNNER_DATABASE_URL": database_url, "COLUMNS": "250"}

    def __call__(self, *args: str) -> Any:
        return CliRunner().invoke(app, list(args), env=self.env)

    def changes(self, *args: str) -> dict[str, str]:
        result = self("apply", *args, "--json")
        assert result.exit_code == 0, result.stderr
        return {
            f"{c['kind']} {c['name']}": c["action"] for c in json.loads(result.stdout)["changes"]
        }


@pytest.fixture
def cli(database_url: str, factory: Factory) -> Cli:
    factory.tenant()
    return Cli(database_url)


def test_the_example_applies_and_export_then_apply_changes_nothing(
    cli: Cli, tmp_path: Path
) -> None:
    assert cli.changes(str(EXAMPLE)) == {
        "account role Success Manager": "unchanged",
        "account role Sales Manager": "unchanged",
        "flow renewal": "create",
        "flow adoption": "create",
        "form account-sentiment": "create",
        "play salesforce-follow-up": "create",
        "play sentiment-check": "create",
    }
    exported = cli("export", "--output", str(tmp_path / "out.yaml"))
    assert exported.exit_code == 0, exported.stderr
    again = cli.changes(str(tmp_path / "out.yaml"))
    assert set(again.values()) == {"unchanged"}
    assert cli.changes(str(EXAMPLE)) == dict.fromkeys(again, "unchanged")


def test_dry_run_reports_and_changes_nothing(
    cli: Cli, database: Database, factory: Factory
) -> None:
    assert cli.changes("--dry-run", str(EXAMPLE))["play sentiment-check"] == "create"
    tenant_id = _only_tenant(database)
    with database.session(read_only=True) as session:
        assert plays_service.page_plays(session, tenant_id, limit=10, offset=0) == ([], 0)
        assert flows_service.list_flows(session, tenant_id) == []


def test_changed_declarations_update_what_they_match(
    cli: Cli, database: Database, tmp_path: Path
) -> None:
    cli.changes(str(EXAMPLE))
    edited = (
        EXAMPLE.read_text()
        .replace(
            'title: "Follow up with {{ account.name }}"', 'title: "Call {{ account.name }} today"'
        )
        .replace("name: Adoption", "name: Product adoption")
    )
    path = tmp_path / "edited.yaml"
    path.write_text(edited)
    changes = cli.changes(str(path))
    assert changes["play salesforce-follow-up"] == "update"
    assert changes["flow adoption"] == "update"
    assert changes["play sentiment-check"] == "unchanged"
    tenant_id = _only_tenant(database)
    with database.session(read_only=True) as session:
        play = plays_service.find_play_by_key(session, tenant_id, "salesforce-follow-up")
        assert play is not None
        (read,) = plays_service.read_plays(session, [play])
    assert read.actions[0].title == "Call {{ account.name }} today"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "plays:\n  - key: k\n    name: n\n",
            "invalid.yaml:2: plays[0].description: Field required",
        ),
        ("flows: [\n", "invalid.yaml:2: not valid YAML"),
        (
            "flows:\n  - id: ok\n    name: OK\nplays:\n  - key: k\n    name: n\n"
            "    description: d\n    triggers: [manual]\n    actions:\n"
            "      - type: create_task\n        title: t\n        description: d\n"
            "        flow: missing\n",
            "invalid.yaml:13: actions[0].flow: flow 'missing' does not exist",
        ),
        ("colour: red\n", "invalid.yaml:1: colour: Extra inputs are not permitted"),
        (
            "plays:\n  - name: n\n    description: d\n    triggers: [manual]\n    actions:\n"
            "      - type: create_task\n        title: t\n        description: d\n",
            "invalid.yaml:2: plays[0]: give a key (or the id of an existing one)",
        ),
    ],
)
def test_invalid_files_are_refused_with_their_line_and_nothing_is_applied(
    cli: Cli, database: Database, tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "invalid.yaml"
    path.write_text(text)
    result = cli("apply", str(path))
    assert result.exit_code == 1
    assert message in " ".join(result.stderr.split())
    with database.session(read_only=True) as session:
        assert flows_service.list_flows(session, _only_tenant(database)) == []


def test_plays_made_elsewhere_are_exported_by_id_and_applied_back_unchanged(
    database_url: str, database: Database, tmp_path: Path
) -> None:
    with database.session() as session:
        seed_demo(session)
    cli = Cli(database_url)
    exported = cli("export", "--output", str(tmp_path / "demo.yaml"))
    assert exported.exit_code == 0, exported.stderr
    text = (tmp_path / "demo.yaml").read_text()
    assert "- id: 4d7d9762-96f7-5cb4-b024-07c73853213b" in text
    assert set(cli.changes(str(tmp_path / "demo.yaml")).values()) == {"unchanged"}


def _only_tenant(database: Database) -> str:
    with database.session(read_only=True) as session:
        return tenants_service.resolve_tenant(session, None).id
