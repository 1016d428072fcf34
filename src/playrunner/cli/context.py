"""What every command shares: settings, the database, the service it means, and output."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

import orjson
import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from typer.core import TyperGroup

from playrunner.config import Settings
from playrunner.db import Database
from playrunner.errors import PlayrunnerError
from playrunner.migrations import is_current, upgrade
from playrunner.tenants import service as tenants_service

T = TypeVar("T")

console = Console()
err_console = Console(stderr=True)

ServiceOption = Annotated[
    str | None,
    typer.Option(
        "--service",
        envvar="PLAYRUNNER_SERVICE",
        help="Service id (SP-1234-01). Optional when only one service exists.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
AsOption = Annotated[str, typer.Option("--as", help="Email of the user to act as.")]


class CommandFailed(Exception):
    """A command could not do what was asked; the message says why."""


@contextmanager
def database(*, migrate: bool = False) -> Iterator[Database]:
    """The configured database; migrated first if asked, else required to be current."""
    settings = Settings()
    db = Database(
        settings.database_url,
        sqlite_busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        sqlite_synchronous=settings.sqlite_synchronous,
    )
    try:
        if migrate:
            upgrade(db.engine)
        elif not is_current(db.engine):
            raise CommandFailed(
                f"The database at {db.url.render_as_string(hide_password=True)} is not"
                " initialised or not up to date: run `playrunner init` (or `playrunner migrate`)."
            )
        yield db
    finally:
        db.dispose()


def in_service(
    service: str | None, work: Callable[[Session, str], T], *, read_only: bool = False
) -> T:
    """Run ``work(session, tenant_id)`` in one unit of work for the service meant."""
    with database() as db:
        return db.run_sync(
            lambda session: work(session, tenants_service.resolve_tenant(session, service).id),
            read_only=read_only,
        )


def print_json(value: Any) -> None:
    def default(obj: Any) -> Any:
        if isinstance(obj, BaseModel):
            return obj.model_dump(mode="json")
        raise TypeError

    typer.echo(orjson.dumps(value, default=default, option=orjson.OPT_INDENT_2).decode())


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if value is None else str(value) for value in row))
    console.print(table)


def fail(message: str) -> None:
    err_console.print(f"[bold red]Error:[/] {message}", highlight=False, soft_wrap=True)


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
        except SQLAlchemyError as exc:
            reason = getattr(exc, "orig", None) or exc
            fail(f"Database error ({type(reason).__name__}): {reason}; nothing was written")
        except (typer.TyperException, typer.Exit, typer.Abort):
            raise  # usage errors, --help and the like: Typer answers them
        except Exception as exc:  # a bug: say so in one line, without a trace
            fail(f"Unexpected failure ({type(exc).__name__}: {exc}); nothing was written")
        raise typer.Exit(1)
