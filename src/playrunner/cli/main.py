"""The ``playrunner`` command."""

from __future__ import annotations

import typer

from playrunner.cli import accounts, as_code, forms, runs, setup, tasks, tokens, users
from playrunner.cli.context import ReportingGroup

app = typer.Typer(
    name="playrunner",
    help="Playrunner: self-hosted, Totango-compatible SuccessPlays.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=ReportingGroup,
)
app.command()(setup.init)
app.command()(setup.migrate)
app.command()(setup.demo)
app.command()(setup.serve)
app.command("run")(runs.run)
app.command("apply")(as_code.apply)
app.command("export")(as_code.export)
app.add_typer(accounts.app, name="accounts")
app.add_typer(runs.app, name="runs")
app.add_typer(tasks.app, name="tasks")
app.add_typer(forms.app, name="forms")
app.add_typer(tokens.app, name="tokens")
app.add_typer(users.app, name="users")


def main() -> None:
    app()
