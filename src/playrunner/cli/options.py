"""Options several commands share."""

from __future__ import annotations

from typing import Annotated

import typer

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
