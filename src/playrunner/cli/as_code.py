"""``playrunner apply`` and ``playrunner export``: the configuration as a YAML file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from playrunner.cli.errors import CommandFailed
from playrunner.cli.options import JsonOption, ServiceOption
from playrunner.cli.output import console, print_json

if TYPE_CHECKING:
    from playrunner.as_code.service import Change


class _DryRun(Exception):
    """Rolls the unit of work back once the changes are known."""

    def __init__(self, changes: list[Change]) -> None:
        super().__init__("dry run")
        self.changes = changes


def apply(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The YAML file.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; change nothing.")
    ] = False,
    service: ServiceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create or update the account roles, flows, forms and plays a file declares, in one
    transaction. A file with any problem is refused with its line, and nothing is applied."""
    from playrunner.as_code import service as as_code_service
    from playrunner.as_code.yaml_io import YamlDocument
    from playrunner.cli.context import database
    from playrunner.tenants import service as tenants_service

    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CommandFailed(f"{file}: not UTF-8 text ({exc.reason})") from None
    document = YamlDocument(text, str(file))
    with database() as db:
        try:
            with db.session() as session:
                tenant_id = tenants_service.resolve_tenant(session, service).id
                changes = as_code_service.apply(session, tenant_id, document)
                if dry_run:
                    raise _DryRun(changes)
        except _DryRun as dry:
            changes = dry.changes
    if as_json:
        print_json(
            {
                "dry_run": dry_run,
                "changes": [{"kind": c.kind, "name": c.name, "action": c.action} for c in changes],
            }
        )
        return
    for change in changes:
        style = {"create": "green", "update": "yellow", "unchanged": "dim"}[change.action]
        console.print(f"[{style}]{change}[/]", highlight=False)
    changed = sum(change.action != "unchanged" for change in changes)
    verb = "would change" if dry_run else "changed"
    console.print(f"{changed} {verb}, {len(changes) - changed} unchanged.")
    if dry_run:
        console.print("Dry run: nothing was applied.")


def export(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    service: ServiceOption = None,
) -> None:
    """Write the current account roles, flows, forms and plays in the format apply takes."""
    from playrunner.as_code import service as as_code_service
    from playrunner.as_code.yaml_io import dump
    from playrunner.cli.context import database
    from playrunner.tenants import service as tenants_service

    with database() as db, db.session(read_only=True) as session:
        tenant_id = tenants_service.resolve_tenant(session, service).id
        text = dump(as_code_service.export(session, tenant_id))
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"Wrote {output}")
