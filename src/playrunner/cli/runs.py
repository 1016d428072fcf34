"""``playrunner run`` and ``playrunner runs``: run a play from the shell, see past runs."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from playrunner.cli.options import AsOption, JsonOption, ServiceOption
from playrunner.cli.output import Column, console, print_empty, print_json, print_table
from playrunner.cli.plays import PLAY_HELP

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from playrunner.runs.schemas import RunRead

app = typer.Typer(help="See the runs of plays.", no_args_is_help=True)


def run(
    play: Annotated[str, typer.Argument(help=PLAY_HELP, metavar="PLAY")],
    account_id: Annotated[str, typer.Argument(help="The account's id.")],
    as_email: AsOption,
    service: ServiceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run a manual play on an account, with the same checks as the API."""
    from playrunner.automations import service as automations_service
    from playrunner.automations.schemas import trigger_result
    from playrunner.cli.context import in_service
    from playrunner.models import RunSource
    from playrunner.plays import service as plays_service
    from playrunner.users import service as users_service

    def work(session: Session, tenant_id: str) -> dict[str, object]:
        runner = users_service.act_as(session, tenant_id, as_email)
        # A key no play has is answered as an unknown id is, after the same checks.
        play_id = str(plays_service.id_of(session, tenant_id, play) or play)
        outcome = automations_service.run_manual_successplay(
            session, runner, play_id, account_id, RunSource.CLI
        )
        return {
            **trigger_result(
                outcome.run.id,
                [t.id for t in outcome.tasks],
                [f.id for f in outcome.form_requests],
            ),
            "tasks": [t.title for t in outcome.tasks],
            "fallbacks": outcome.fallbacks,
        }

    result = in_service(service, work)
    if as_json:
        print_json(result)
        return
    console.print(f"Success: run {result['runId']}")
    for title in result["tasks"]:  # type: ignore[attr-defined]
        console.print(f"  task: {title}")
    for request_id in result["formRequestIds"]:  # type: ignore[attr-defined]
        console.print(f"  form request: {request_id}")
    for fallback in result["fallbacks"]:  # type: ignore[attr-defined]
        console.print(f"  [yellow]note:[/] {fallback}")


@app.command("list")
def list_(
    play: Annotated[
        str | None, typer.Option(help="Only runs of this play (its id or key).")
    ] = None,
    account: Annotated[str | None, typer.Option(help="Only runs on this account id.")] = None,
    since: Annotated[
        datetime | None, typer.Option(help="Only runs at or after this time (UTC).")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many (newest first).")] = 50,
    service: ServiceOption = None,
    as_json: JsonOption = False,
) -> None:
    """List runs, newest first."""
    from playrunner.cli.context import in_service
    from playrunner.errors import NotFound
    from playrunner.plays import service as plays_service
    from playrunner.runs import service as runs_service
    from playrunner.runs.repository import RunFilter

    def work(session: Session, tenant_id: str) -> list[RunRead]:
        play_id = None
        if play is not None:
            play_id = plays_service.id_of(session, tenant_id, play)
            if play_id is None:
                raise NotFound(f"No SuccessPlay has the id or key {play!r}", field="play")
        where = RunFilter(play_id=play_id, account_id=account, since=since, limit=limit)
        return runs_service.page_runs(session, tenant_id, where)[0]

    runs = in_service(service, work, read_only=True)
    if as_json:
        print_json(runs)
        return
    if not runs:
        print_empty(
            "runs",
            "Run a play on an account: playrunner run PLAY ACCOUNT_ID --as EMAIL"
            " (playrunner plays list shows the plays).",
            {"--play": play, "--account": account, "--since": since},
        )
        return
    print_table(
        "Runs",
        [
            Column("id", "whole"),
            Column("when", "whole"),
            "play",
            "account",
            Column("by", drop=1),
            Column("source", "whole", drop=2),
            Column("tasks", "whole", drop=3, justify="right"),
            Column("forms", "whole", drop=3, justify="right"),
        ],
        [
            [
                r.id,
                r.created_at.strftime("%Y-%m-%d %H:%M"),
                r.play,
                r.account_id
                if r.account_id == r.requested_account_id
                else f"{r.account_id} (for {r.requested_account_id})",
                r.runner,
                r.source.value,
                r.task_count,
                r.form_request_count,
            ]
            for r in runs
        ],
    )
