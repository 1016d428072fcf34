"""The ``playrunner`` command.

``playrunner trigger`` needs only the client (``pip install playrunner``); the server's
commands need the ``server`` extra and are left out, with a note in ``--help``, without it.

Command modules import only Typer and their options at the top; each command imports what it
uses when it runs, so ``--help`` and the client's commands start without loading SQLAlchemy,
FastAPI or the models (``benchmarks/cli_startup.py`` measures it).
"""

from __future__ import annotations

from importlib.util import find_spec

import typer
from typer.core import TyperGroup

from playrunner.cli import trigger

# Top-level modules that only the server extra installs.
SERVER_PACKAGES = frozenset(
    {
        "alembic",
        "argon2",
        "authlib",
        "fastapi",
        "jinja2",
        "limits",
        "orjson",
        "psycopg",
        "pydantic_settings",
        "redis",
        "ruamel",
        "sqlalchemy",
        "starlette",
        "granian",
    }
)
SERVER_MISSING_NOTE = (
    "The server commands (serve, init, demo, run, apply, users, tokens, ...) are not "
    "installed: pip install 'playrunner\\[server]'."  # \[: not Rich markup
)
HELP = "Playrunner: self-hosted, Totango-compatible SuccessPlays."

# Looking the packages up (not importing them) is what keeps the start fast.
server_installed = all(find_spec(package) is not None for package in SERVER_PACKAGES)
if server_installed:
    from playrunner.cli import (
        accounts,
        apps,
        as_code,
        forms,
        plays,
        runs,
        service,
        setup,
        tasks,
        tokens,
        users,
        webhooks,
    )
    from playrunner.cli.errors import ReportingGroup

app = typer.Typer(
    name="playrunner",
    help=HELP if server_installed else f"{HELP}\n\n{SERVER_MISSING_NOTE}",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=ReportingGroup if server_installed else TyperGroup,
)


@app.callback()
def playrunner() -> None:
    # A callback keeps `playrunner` a group of commands even when `trigger` is its only one
    # (without the server extra), so `playrunner trigger ...` works the same either way.
    pass


if server_installed:
    app.command()(setup.init)
    app.command()(setup.migrate)
    app.command()(setup.demo)
    app.command()(setup.serve)
    app.command()(setup.worker)
    app.command("run")(runs.run)
    app.command("apply")(as_code.apply)
    app.command("export")(as_code.export)
    app.add_typer(accounts.app, name="accounts")
    app.add_typer(plays.app, name="plays")
    app.add_typer(runs.app, name="runs")
    app.add_typer(tasks.app, name="tasks")
    app.add_typer(forms.app, name="forms")
    app.add_typer(tokens.app, name="tokens")
    app.add_typer(users.app, name="users")
    app.add_typer(service.app, name="service")
    app.add_typer(apps.app, name="apps")
    app.add_typer(webhooks.app, name="webhooks")
app.command("trigger")(trigger.trigger)


def main() -> None:
    app()
