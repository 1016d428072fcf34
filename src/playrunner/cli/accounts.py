"""``playrunner accounts``: load accounts from a CSV file."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated

import typer

from playrunner.cli.errors import CommandFailed
from playrunner.cli.options import JsonOption, ServiceOption
from playrunner.cli.output import Column, console, err_console, print_json, print_table

app = typer.Typer(help="Load accounts.", no_args_is_help=True)


@app.command("import")
def import_csv(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The CSV file.")],
    service: ServiceOption = None,
    errors_csv: Annotated[
        Path | None, typer.Option("--errors", help="Also write every rejected row to this CSV.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create or update accounts from CSV: columns id, name, parent, attr:<name>, role:<role>.

    Rows that are refused change nothing and are listed with their line and reason; the
    others are written in one transaction. Exit status 1 when any row was refused.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from playrunner.accounts.csv_import import CHUNK, import_chunk, read_rows
    from playrunner.cli.context import database
    from playrunner.tenants import service as tenants_service

    with file.open(newline="", encoding="utf-8-sig") as stream:
        try:
            rows = read_rows(stream, str(file))
        except UnicodeDecodeError as exc:
            raise CommandFailed(f"{file}: not UTF-8 text ({exc.reason})") from None
    created = updated = 0
    rejected: list[tuple[int, str, str]] = []
    with database() as db, db.session() as session:
        tenant_id = tenants_service.resolve_tenant(session, service).id
        with Progress(
            TextColumn("Importing accounts"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err_console,
            transient=as_json,
        ) as progress:
            task = progress.add_task("import", total=len(rows))
            for start in range(0, len(rows), CHUNK):
                chunk = rows[start : start + CHUNK]
                result = import_chunk(session, tenant_id, chunk)
                created += result.created
                updated += result.updated
                rejected.extend(result.rejected)
                progress.advance(task, len(chunk))
    rejected.sort()
    if errors_csv is not None:
        _write_errors(errors_csv, rejected)
    if as_json:
        print_json(
            {
                "created": created,
                "updated": updated,
                "rejected": [{"line": line, "id": i, "error": e} for line, i, e in rejected],
            }
        )
    else:
        console.print(f"{created} created, {updated} updated, {len(rejected)} rejected.")
        if rejected:
            print_table(
                "Rejected rows",
                [Column("line", justify="right"), "id", Column("reason", "wrap")],
                rejected[:50],
            )
            if len(rejected) > 50:
                console.print(f"... and {len(rejected) - 50} more (see --errors FILE).")
    if rejected:
        raise typer.Exit(1)


def _write_errors(path: Path, rejected: list[tuple[int, str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["line", "id", "error"])
        writer.writerows(rejected)
