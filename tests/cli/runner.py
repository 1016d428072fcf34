"""The ``playrunner`` command run in the test's process, on one database. Its tables are as
wide as the consoles made when the CLI was first imported (250 columns: tests/conftest.py);
``at_width`` narrows them for a test."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from playrunner.cli import output, trigger
from playrunner.cli.main import app


class Cli:
    def __init__(self, database_url: str) -> None:
        self.env = {"PLAYRUNNER_DATABASE_URL": database_url}
        self.runner = CliRunner()

    def __call__(self, *args: str, ok: bool = True) -> Result:
        result = self.runner.invoke(app, list(args), env=self.env)
        if ok:
            assert result.exit_code == 0, result.output + result.stderr
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json").stdout)


def at_width(monkeypatch: pytest.MonkeyPatch, columns: int) -> None:
    """Print the CLI's tables (and everything else) as a terminal ``columns`` wide would."""
    for console in (output.console, output.err_console, trigger.console, trigger.err_console):
        monkeypatch.setattr(console, "width", columns)
