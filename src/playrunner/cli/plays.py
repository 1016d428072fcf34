"""``playrunner plays``: the service's SuccessPlays, with the ids and keys other commands take."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from playrunner.cli.options import JsonOption, ServiceOption
from playrunner.cli.output import Column, print_empty, print_json, print_table

app = typer.Typer(help="See the SuccessPlays.", no_args_is_help=True)

# Where a command takes a play: its id, or the key plays as code gave it.
PLAY_HELP = "The SuccessPlay's id, or its key (from plays as code; see `playrunner plays list`)."


class Trigger(StrEnum):
    manual = "manual"
    event = "event"


class Status(StrEnum):
    active = "active"
    inactive = "inactive"


@app.command("list")
def list_(
    trigger: Annotated[Trigger | None, typer.Option(help="Only plays with this trigger.")] = None,
    status: Annotated[Status | None, typer.Option(help="Only enabled, or disabled, plays.")] = None,
    service: ServiceOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the plays (ordered by name) with their ids and keys: either names a play in
    `playrunner run` and `playrunner trigger`."""
    from playrunner.cli.context import in_service
    from playrunner.pagination import every_page
    from playrunner.plays import service as plays_service

    plays = in_service(
        service,
        lambda session, tenant_id: every_page(
            lambda limit, offset: plays_service.page_plays(
                session,
                tenant_id,
                trigger=None if trigger is None else trigger.value,
                active=None if status is None else status is Status.active,
                limit=limit,
                offset=offset,
            )
        ),
        read_only=True,
    )
    if as_json:
        print_json(plays)
        return
    if not plays:
        print_empty(
            "SuccessPlays",
            "Declare them in YAML and playrunner apply FILE.yaml (examples/plays.yaml is one),"
            " or create them in the web app's SuccessPlays page or with the API.",
            {"--trigger": trigger, "--status": status},
        )
        return
    print_table(
        "SuccessPlays",
        [
            Column("id", "whole"),
            Column("key", "whole"),
            "name",
            Column("triggers", drop=1),
            Column("active", "whole", drop=2),
            Column("actions", "whole", drop=3, justify="right"),
        ],
        [
            [
                p.id,
                p.key or "",
                p.name,
                ", ".join(p.triggers),
                "yes" if p.active else "no",
                len(p.actions),
            ]
            for p in plays
        ],
    )
