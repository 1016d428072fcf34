"""``playrunner trigger``: run a play through the API, on one account or a CSV of them.

Needs only the client (``pip install playrunner``), and works against Playrunner and
Totango alike.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from playrunner.cli.output import Column, print_table

if TYPE_CHECKING:
    from playrunner.cli.trigger_job import Outcome, ResultsFile, TriggerJob
    from playrunner.client import Client, DryRun, Flavor, TriggerResult

DEFAULT_RATE = 100.0  # Totango's limit: 100 calls a minute for each token
DEFAULT_CHUNK_SIZE = 1000  # accounts per bulk call
PLAYS_PAGE = 100  # plays per call when looking one up by its key

console = Console()
err_console = Console(stderr=True)


class Region(StrEnum):
    us = "us"
    eu = "eu"


class Api(StrEnum):
    playrunner = "playrunner"
    totango = "totango"


def trigger(
    play: Annotated[
        str,
        typer.Option(
            "--play",
            help="The SuccessPlay's id; against Playrunner, its key (plays as code) too.",
        ),
    ],
    account: Annotated[
        str | None, typer.Option("--account", help="Run the play on this account.")
    ] = None,
    accounts: Annotated[
        Path | None,
        typer.Option(
            "--accounts",
            help="A CSV of account ids (a column headed account_id, or the first column).",
            dir_okay=False,
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option("--token", envvar="PLAYRUNNER_TOKEN", help="API token.", show_default=False),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            envvar="PLAYRUNNER_BASE_URL",
            help="The server, e.g. http://127.0.0.1:8000.",
        ),
    ] = None,
    region: Annotated[
        Region | None, typer.Option("--region", help="Totango's US or EU host instead.")
    ] = None,
    api: Annotated[
        Api | None,
        typer.Option("--api", help="Which API the server speaks (default: Totango for its hosts)."),
    ] = None,
    results: Annotated[
        Path | None,
        typer.Option(
            "--results",
            help="With --accounts: the results CSV, also what a re-run resumes from "
            "[default: ACCOUNTS.results.csv].",
            dir_okay=False,
        ),
    ] = None,
    rate: Annotated[
        float,
        typer.Option(
            "--rate", min=0, help="With --accounts: calls a minute at most (0: no pacing)."
        ),
    ] = DEFAULT_RATE,
    bulk: Annotated[
        bool | None,
        typer.Option(
            "--bulk/--no-bulk",
            help="With --accounts, against Playrunner: bulk calls [default: when available].",
            show_default=False,
        ),
    ] = None,
    chunk_size: Annotated[
        int, typer.Option("--chunk-size", min=1, max=10_000, help="Accounts per bulk call.")
    ] = DEFAULT_CHUNK_SIZE,
    idempotency_key: Annotated[
        str | None,
        typer.Option("--idempotency-key", help="With --account: a retry key (Playrunner)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="With --account: show what it would create.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="With --account: print JSON.")] = False,
) -> None:
    """Run a manual SuccessPlay on an account, or on every account in a CSV file."""
    # The client (httpx, pydantic) is loaded only once there is something to send.
    from playrunner.client import REGIONS, Client

    if (account is None) == (accounts is None):
        _stop("Pass either --account ID or --accounts FILE.csv")
    if not token:
        _stop("Pass your API token with --token or the PLAYRUNNER_TOKEN environment variable")
    if (base_url is None) == (region is None):
        _stop(
            "Say where to send calls: --base-url URL (or PLAYRUNNER_BASE_URL), or "
            f"--region us|eu for Totango ({REGIONS['us']}, {REGIONS['eu']})"
        )
    flavor: Flavor | None = None
    if api is not None:
        flavor = "totango" if api is Api.totango else "playrunner"
    target = region.value if region is not None else str(base_url)
    try:
        pace = rate if accounts is not None and rate > 0 else None
        client = Client(token, target, flavor=flavor, pace=pace)
    except ValueError as exc:
        _stop(str(exc))
    with client:
        play = _play_id(client, play)
        if account is not None:
            _one(client, play, account, idempotency_key, dry_run=dry_run, as_json=as_json)
        else:
            assert accounts is not None
            path = results or accounts.with_name(f"{accounts.stem}.results.csv")
            failed = run_accounts_file(
                client, play, accounts, path, bulk=bulk, chunk_size=chunk_size
            )
            raise typer.Exit(1 if failed else 0)


def _play_id(client: Client, play: str) -> str:
    """The id of the play the user named. Playrunner's plays may be named by their key (plays
    as code) too, looked up in the plays list, since the trigger API itself takes ids only;
    Totango's play ids are sent as given."""
    from playrunner.client import PlayrunnerClientError

    if client.flavor == "totango" or _is_uuid(play):
        return play
    seen = 0
    try:
        while True:
            page = client.list_plays(limit=PLAYS_PAGE, offset=seen)
            for found in page.items:
                if found.key == play:
                    return str(found.id)
            seen += len(page.items)
            if not page.items or seen >= page.total:
                break
    except PlayrunnerClientError as exc:
        _stop(f"Could not look up the play with key {play!r}: {_message(exc)}")
    _stop(
        f"No SuccessPlay on {client.base_url} has the id or key {play!r}"
        " (`playrunner plays list` shows both)"
    )


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _one(
    client: Client,
    play: str,
    account: str,
    idempotency_key: str | None,
    *,
    dry_run: bool,
    as_json: bool,
) -> None:
    from playrunner.client import PlayrunnerClientError

    try:
        if dry_run:
            _show_dry_run(client.dry_run(play, account), as_json)
            return
        result = client.run_manual_successplay(play, account, idempotency_key=idempotency_key)
    except (PlayrunnerClientError, ValueError) as exc:
        _stop(_message(exc))
    _show_result(result, as_json)


def _show_result(result: TriggerResult, as_json: bool) -> None:
    if as_json:
        typer.echo(result.model_dump_json(indent=2, exclude={"rate_limit"}))
        return
    line = result.status
    if result.run_id is not None:
        line += f"  run {result.run_id}"
    if result.skipped:
        line += "  (skipped: the play's earlier run on this account still has open items)"
    if result.replayed:
        line += "  (replayed: this Idempotency-Key was used before)"
    console.print(line, highlight=False, markup=False)


def _show_dry_run(preview: DryRun, as_json: bool) -> None:
    if as_json:
        typer.echo(preview.model_dump_json(indent=2, by_alias=True))
        return
    target = preview.account
    console.print(
        f"Dry run on {target.account_id} ({target.name}): nothing was written.",
        highlight=False,
        markup=False,
    )
    if preview.would_skip:
        console.print(f"It would be skipped: run {preview.open_run_id} still has open items.")
    print_table(
        None,
        [
            Column("would create", "whole"),
            "title / form",
            Column("assignee", drop=1),
            Column("due", "whole"),
        ],
        [
            *(["task", task.title, task.assignee, task.due_date] for task in preview.tasks),
            *(
                ["form request", request.form, request.assignee, request.due_date]
                for request in preview.form_requests
            ),
        ],
        target=console,
    )


def run_accounts_file(
    client: Client,
    play: str,
    accounts: Path,
    results_path: Path,
    *,
    bulk: bool | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> bool:
    """Run ``play`` on every account in the file not yet done; True when any failed."""
    from playrunner.cli.trigger_job import JobError, ResultsFile, TriggerJob, read_account_ids

    try:
        if results_path.resolve() == accounts.resolve():
            raise JobError("--results must not be the accounts file itself")
        account_ids = read_account_ids(accounts)
        results = ResultsFile(results_path)
        job = TriggerJob(client, play, results, bulk=bulk, chunk_size=chunk_size)
    except JobError as exc:
        _stop(str(exc))
    todo = [a for a in account_ids if not results.done(a)]
    plan = _plan(job, len(account_ids), len(todo), results_path)
    err_console.print(plan, highlight=False, markup=False)
    stopped: str | None = None
    try:
        if err_console.is_terminal:
            _run_with_progress(job, account_ids, len(todo))
        else:
            job.run(account_ids, _log_lines)
    except JobError as exc:
        stopped = str(exc)
    except KeyboardInterrupt:
        stopped = "Interrupted"
    return _summary(account_ids, results, results_path, stopped)


def _plan(job: TriggerJob, total: int, todo: int, results_path: Path) -> str:
    done = total - todo
    line = f"{todo:,} of {total:,} accounts to run"
    if done:
        line += f" ({done:,} already done in {results_path})"
    pacer = job.client.pacer
    if todo and pacer is not None:
        seconds = max(0, job.calls_needed(todo) - 1) * pacer.interval
        eta = f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"
        line += f"; at {pacer.per_minute:g} calls a minute that takes about {eta}"
    return line + f"; results in {results_path}."


def _run_with_progress(job: TriggerJob, account_ids: Sequence[str], todo: int) -> None:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err_console) as progress:
        task = progress.add_task("Running", total=todo)
        job.run(account_ids, lambda outcomes: progress.advance(task, len(outcomes)))


def _log_lines(outcomes: Sequence[Outcome]) -> None:
    # Without a terminal (CI, cron, a pipe): one line per account, as each is known.
    for outcome in outcomes:
        fields = (outcome.account_id, outcome.outcome, outcome.run_id, outcome.message)
        err_console.print("  ".join(f for f in fields if f), highlight=False, markup=False)


def _summary(
    account_ids: Sequence[str], results: ResultsFile, results_path: Path, stopped: str | None
) -> bool:
    outcomes = [results.recorded.get(account) for account in account_ids]
    counts = Counter(o.outcome if o else "not run yet" for o in outcomes)
    print_table(
        f"{len(account_ids):,} accounts",
        ["outcome", Column("accounts", "whole", justify="right")],
        [
            [name, f"{counts[name]:,}"]
            for name in ("success", "skipped", "not_found", "failed", "not run yet")
            if counts[name]
        ],
        target=console,
    )
    failures = [o for o in outcomes if o is not None and o.failed]
    for outcome in failures[:10]:
        console.print(f"  {outcome.account_id}: {outcome.message}", highlight=False, markup=False)
    if len(failures) > 10:
        console.print(f"  ... and {len(failures) - 10:,} more in {results_path}", markup=False)
    if stopped:
        err_console.print(f"[bold red]Stopped:[/] {escape(stopped)}", highlight=False)
        err_console.print(
            f"Run the same command again to resume from {results_path}.", markup=False
        )
    return bool(failures) or stopped is not None or counts["not run yet"] > 0


def _message(exc: Exception) -> str:
    from playrunner.client import APIError, RateLimited

    if isinstance(exc, RateLimited):
        return (
            f"{exc.message}; the limit resets in {exc.reset_after:.0f} s "
            f"(at {exc.reset_at:%H:%M:%S} UTC)"
        )
    return exc.message if isinstance(exc, APIError) else str(exc)


def _stop(message: str) -> NoReturn:
    err_console.print(f"[bold red]Error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(1)
