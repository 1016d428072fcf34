"""How a command that cannot do what was asked says so: one line on stderr, exit status 1."""

from __future__ import annotations

import sys
from typing import Any

import typer
from typer.core import TyperGroup

from playrunner.cli.output import fail
from playrunner.errors import PlayrunnerError


class CommandFailed(Exception):
    """A command could not do what was asked; the message says why."""


class ReportingGroup(TyperGroup):
    """Runs every subcommand and turns known failures into one line on stderr and exit 1."""

    # Typer's own base class types ctx with its private vendored click; typer.Context is the
    # public subclass it actually passes.
    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except PlayrunnerError as exc:
            fail(exc.message)
        except CommandFailed as exc:
            fail(str(exc))
        except (typer.TyperException, typer.Exit, typer.Abort):
            raise  # usage errors, --help and the like: Typer answers them
        except Exception as exc:
            fail(_unexpected(exc))
        raise typer.Exit(1)


def _unexpected(exc: Exception) -> str:
    # A database error can only come from a command that loaded SQLAlchemy; looking it up
    # here rather than importing it keeps `playrunner --help` from loading it.
    database_errors = sys.modules.get("sqlalchemy.exc")
    if database_errors is not None and isinstance(exc, database_errors.SQLAlchemyError):
        from playrunner.db_failures import describe_failure

        return f"Database error ({describe_failure(exc)}); nothing was written"
    # Settings that cannot be read (PLAYRUNNER_PORT=abc): name the variable.
    pydantic = sys.modules.get("pydantic")
    if (
        pydantic is not None
        and isinstance(exc, pydantic.ValidationError)
        and exc.title == "Settings"
    ):
        problems = "; ".join(
            f"PLAYRUNNER_{'_'.join(str(p) for p in error['loc']).upper()}: {error['msg']}"
            if error["loc"]
            else error["msg"]
            for error in exc.errors()
        )
        return f"Invalid setting: {problems}"
    # A bug: say so in one line, without a trace.
    return f"Unexpected failure ({type(exc).__name__}: {exc}); nothing was written"
