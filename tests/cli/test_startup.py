"""`playrunner --help` and the client's commands start without loading the server: what they
import is checked here (deterministic); how long they take is measured by
benchmarks/cli_startup.py, not asserted."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.processes import clean_environment

# What a command that needs no database must not load: the web framework, the ORM and the
# models, migrations, the server, and the pieces only the API uses.
SERVER_MODULES = (
    "sqlalchemy",
    "fastapi",
    "starlette",
    "uvicorn",
    "granian",
    "alembic",
    "jinja2",
    "authlib",
    "argon2",
    "limits",
    "redis",
    "playrunner.app",
    "playrunner.models",
    "playrunner.db",
)

RUN_COMMAND = """
import json, sys
args, watched = json.loads(sys.argv[1]), json.loads(sys.argv[2])
sys.argv = ["playrunner", *args]
from playrunner.cli.main import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(m for m in watched if m in sys.modules)), file=sys.stderr)
"""


def loaded_by(*args: str, also: tuple[str, ...] = ()) -> list[str]:
    """Which of SERVER_MODULES (and ``also``) running ``playrunner ARGS`` imported."""
    done = subprocess.run(
        [sys.executable, "-c", RUN_COMMAND, json.dumps(args), json.dumps(SERVER_MODULES + also)],
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_environment(),
        check=True,
    )
    loaded: list[str] = json.loads(done.stderr.strip().splitlines()[-1])
    return loaded


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["tasks", "--help"],
        ["tasks", "list", "--help"],
        ["serve", "--help"],
        ["apps", "create", "--help"],
        ["trigger", "--help"],
    ],
)
def test_help_loads_nothing_of_the_server_nor_the_client(args: list[str]) -> None:
    assert loaded_by(*args, also=("httpx", "playrunner.client")) == []


def test_the_trigger_command_loads_the_client_but_not_the_server() -> None:
    # It stops before sending anything (no token), after parsing its options.
    assert loaded_by("trigger", "--play", "p", "--account", "a", "--base-url", "http://x") == []


def test_a_database_command_does_not_load_the_web_app() -> None:
    loaded = loaded_by("users", "list", also=("playrunner.api.errors", "playrunner.ui"))
    assert "sqlalchemy" in loaded  # it did run, and failed for want of a database
    assert not {"fastapi", "starlette", "granian", "jinja2", "playrunner.app"} & set(loaded)
