"""A list with nothing in it says so, and what to do next, instead of printing an empty table;
``--json`` still prints ``[]`` for scripts."""

from __future__ import annotations

import re

import pytest

from tests.cli.runner import Cli
from tests.factories import Factory


@pytest.fixture
def cli(database_url: str) -> Cli:
    """A new service (its admin ops@acme.test) and a user without tokens, jane@acme.test."""
    cli = Cli(database_url)
    cli("init", "--service-name", "Acme CS", "--admin-email", "ops@acme.test")
    cli("users", "create", "jane@acme.test", "--name", "Jane Park")
    return cli


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (
            ["runs", "list"],
            "No runs yet. Run a play on an account: playrunner run PLAY ACCOUNT_ID --as EMAIL",
        ),
        (["tasks", "list"], "No tasks yet. Running a play makes them: playrunner run PLAY"),
        (
            ["tasks", "list", "--account", "acme", "--status", "started"],
            "No tasks match --account acme --status started. Running a play makes them",
        ),
        (
            ["forms", "pending"],
            "No open form requests yet. A play that requests information makes them:"
            " playrunner run PLAY",
        ),
        (
            ["plays", "list"],
            "No SuccessPlays yet. Declare them in YAML and playrunner apply FILE.yaml",
        ),
        (["plays", "list", "--trigger", "event"], "No SuccessPlays match --trigger event."),
        (
            ["apps", "list"],
            "No OAuth applications yet. Register one: playrunner apps create --name NAME",
        ),
        (
            ["tokens", "list", "--email", "jane@acme.test"],
            "No tokens of jane@acme.test yet."
            " Make one: playrunner tokens create --email jane@acme.test --name NAME",
        ),
    ],
)
def test_an_empty_list_says_what_to_do_next(cli: Cli, args: list[str], says: str) -> None:
    printed = cli(*args).stdout

    assert " ".join(printed.split()).startswith(says), printed
    assert cli.json(*args) == []
    # The commands it suggests exist as written.
    for suggested in re.findall(r"playrunner ((?:[a-z][a-z-]* ?)+)", printed):
        assert cli(*suggested.split(), "--help").exit_code == 0, suggested


def test_a_service_without_users_says_how_to_add_one(
    cli: Cli, factory: Factory, database_url: str
) -> None:
    empty = factory.tenant()
    printed = cli("users", "list", "--service", empty.id).stdout
    assert printed.strip() == "No users yet. Add one: playrunner users create EMAIL --name NAME"
    assert cli.json("users", "list", "--service", empty.id) == []
