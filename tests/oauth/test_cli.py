"""``playrunner apps`` and ``playrunner users set-password``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from playrunner.auth import sign_in
from playrunner.cli.main import app
from playrunner.db import Database
from playrunner.models import User
from playrunner.oauth import service as oauth_service
from playrunner.users import service as users_service
from tests.factories import Factory


class Cli:
    def __init__(self, database_url: str) -> None:
        self.env = {"PLAYRUNNER_DATABASE_URL": database_url, "COLUMNS": "250"}
        self.runner = CliRunner()

    def __call__(self, *args: str, ok: bool = True, stdin: str | None = None) -> Any:
        result = self.runner.invoke(app, list(args), env=self.env, input=stdin)
        if ok:
            assert result.exit_code == 0, result.output + result.stderr
        else:
            assert result.exit_code == 1, result.output
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json").stdout)


@pytest.fixture
def admin(factory: Factory) -> User:
    """The only service's admin (so commands need no --service)."""
    return factory.admin(factory.tenant())


@pytest.fixture
def cli(database_url: str, admin: User) -> Cli:
    return Cli(database_url)


def test_create_list_rotate_and_delete_an_app(cli: Cli, admin: User, database: Database) -> None:
    created = cli.json(
        "apps",
        "create",
        "--name",
        "Salesforce button",
        "--grant",
        "client_credentials",
        "--scope",
        "successplays:trigger_manual",
        "--acting-user",
        admin.email,
    )
    assert created["client_secret"].startswith("prcs_")
    assert created["acting_user"] == admin.email

    listed = cli.json("apps", "list")
    assert [a["client_id"] for a in listed] == [created["client_id"]]
    assert "client_secret" not in listed[0]

    rotated = cli.json("apps", "rotate-secret", created["client_id"])
    assert rotated["client_secret"] != created["client_secret"]
    with database.session(read_only=True) as session:
        found = oauth_service.find_client(session, created["client_id"])
        assert found is not None
        assert oauth_service.check_client_secret(found, rotated["client_secret"])

    deleted = cli("apps", "delete", created["id"])
    assert "Deleted Salesforce button" in deleted.stdout
    assert cli.json("apps", "list") == []


def test_create_refuses_what_the_api_refuses(cli: Cli) -> None:
    result = cli(
        "apps",
        "create",
        "--name",
        "x",
        "--grant",
        "client_credentials",
        "--scope",
        "nope",
        ok=False,
    )
    assert "Unknown scope nope" in result.stderr
    result = cli(
        "apps",
        "create",
        "--name",
        "x",
        "--grant",
        "client_credentials",
        "--scope",
        "accounts:read",
        ok=False,
    )
    assert "needs acting_user" in result.stderr
    result = cli(
        "apps",
        "create",
        "--name",
        "x",
        "--grant",
        "client_credentials",
        "--scope",
        "accounts:read",
        "--token-lifetime",
        "5",
        ok=False,
    )
    assert "access_token_lifetime" in result.stderr


def test_update_changes_only_what_is_given_and_refuses_what_the_api_refuses(
    cli: Cli, admin: User
) -> None:
    created = cli.json(
        "apps",
        "create",
        *("--name", "Sync job", "--grant", "client_credentials"),
        *("--scope", "accounts:read", "--acting-user", admin.email),
    )

    renamed = cli.json("apps", "update", created["client_id"], "--name", "Nightly sync")
    widened = cli.json(
        "apps", "update", created["id"], "--scope", "accounts:read", "--scope", "runs:read"
    )

    assert (renamed["name"], renamed["scopes"]) == ("Nightly sync", ["accounts:read"])
    assert (widened["name"], widened["scopes"]) == ("Nightly sync", ["accounts:read", "runs:read"])
    assert widened["acting_user"] == admin.email
    unknown = cli("apps", "update", created["id"], "--scope", "nope", ok=False)
    assert "Unknown scope nope" in unknown.stderr
    orphaned = cli("apps", "update", created["id"], "--no-acting-user", ok=False)
    assert "needs acting_user" in orphaned.stderr
    both = cli(
        "apps", "update", created["id"], "--acting-user", admin.email, "--no-acting-user", ok=False
    )
    assert "not both" in both.stderr
    nothing = cli("apps", "update", created["id"], ok=False)
    assert "Nothing to change" in nothing.stderr
    missing = cli("apps", "update", "prapp_missing", "--name", "x", ok=False)
    assert "not found" in missing.stderr


def test_scopes_lists_the_catalogue(cli: Cli) -> None:
    scopes = {s["scope"]: s["label"] for s in cli.json("apps", "scopes")}
    assert scopes["successplays:trigger_manual"] == "SuccessPlays: Trigger manual SuccessPlays"


def test_set_password_from_stdin_or_a_prompt(cli: Cli, admin: User, database: Database) -> None:
    cli("users", "set-password", admin.email, "--password-stdin", stdin="a long passphrase 1\n")
    cli("users", "set-password", admin.email, stdin="a long passphrase 2\na long passphrase 2\n")
    short = cli("users", "set-password", admin.email, "--password-stdin", stdin="short\n", ok=False)

    assert "Password must be at least 12 characters long" in short.stderr
    with database.session(read_only=True) as session:
        user = users_service.get_by_email(session, admin.tenant_id, admin.email)
    assert user.password_hash is not None
    assert user.password_hash.startswith("$argon2id$")
    assert sign_in.check_password(user, "a long passphrase 2")
    assert not sign_in.check_password(user, "a long passphrase 1")
