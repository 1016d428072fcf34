"""Run history in the admin console, filtered by play, account, who ran it, where from and
when; and a run's page, with each task and form request it created as they are now (the web
face of ``GET /api/v2/automations/runs/{runId}``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from playrunner.api.dependencies import DatabaseDep
from playrunner.api.paths import RunId
from playrunner.errors import InvalidRequest, PlayrunnerError
from playrunner.ids import parse_id
from playrunner.models import RunSource
from playrunner.pagination import MAX_PAGE_SIZE
from playrunner.plays import service as plays_service
from playrunner.plays.schemas import PlayRead
from playrunner.runs import service
from playrunner.runs.repository import RunFilter
from playrunner.runs.schemas import RunRead
from playrunner.ui.pages import render
from playrunner.ui.paging import PageView
from playrunner.ui.routes import pages_router
from playrunner.ui.session import CurrentAdmin
from playrunner.ui.templates import RUN_SOURCE_LABELS

router = pages_router()

PAGE_SIZE = 50
SOURCES = list(RUN_SOURCE_LABELS.items())


@router.get("/runs")
async def runs_page(
    request: Request,
    admin: CurrentAdmin,
    db: DatabaseDep,
    play: Annotated[str, Query(max_length=64)] = "",
    account: Annotated[str, Query(max_length=255)] = "",
    runner: Annotated[str, Query(max_length=320)] = "",
    source: Annotated[str, Query(max_length=10)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    filters = {
        "play": play,
        "account": account,
        "runner": runner,
        "source": source,
        "since": since,
        "until": until,
    }
    error = None
    try:
        where = RunFilter(
            play_id=parse_id(play, "SuccessPlay", "play") if play else None,
            account_id=account.strip() or None,
            runner_email=runner.strip() or None,
            source=_source(source),
            since=_day(since, "since"),
            until=_day(until, "until", next_day=True),
            limit=PAGE_SIZE,
            offset=offset,
        )
    except PlayrunnerError as refused:
        error, where = refused.message, None

    def read(s: Session) -> tuple[list[RunRead], int, list[PlayRead]]:
        plays, _ = plays_service.page_plays(s, admin.tenant_id, limit=MAX_PAGE_SIZE, offset=0)
        if where is None:
            return [], 0, plays
        runs, total = service.page_runs(s, admin.tenant_id, where)
        return runs, total, plays

    try:
        runs, total, plays = await db.read(read)
    except PlayrunnerError as refused:
        error = refused.message
        runs, total, plays = [], 0, []

    def page_url(offset: int | None) -> str:
        wanted = {**filters, "offset": offset or ""}
        return "/runs?" + urlencode({k: v for k, v in wanted.items() if v})

    return render(
        request,
        "runs/runs.html",
        {
            "runs": runs,
            "filters": filters,
            "error": error,
            "plays": [(str(p.id), p.name) for p in plays],
            "sources": SOURCES,
            "paging": PageView(total, PAGE_SIZE, offset, len(runs)),
            "page_url": page_url,
        },
        status=400 if error else 200,
    )


@router.get("/runs/{run_id}")
async def run_page(
    request: Request, admin: CurrentAdmin, run_id: RunId, db: DatabaseDep
) -> Response:
    run = await db.read(lambda s: service.read_run(s, admin.tenant_id, run_id))
    return render(request, "runs/run.html", {"run": run})


def _source(value: str) -> RunSource | None:
    if not value:
        return None
    try:
        return RunSource(value)
    except ValueError:
        raise InvalidRequest(
            f"source {value!r} is not one of api, cli, web", field="source"
        ) from None


def _day(value: str, field: str, *, next_day: bool = False) -> datetime | None:
    """A date from the filter (UTC days): its start, or the next day's for ``until``."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidRequest(f"{field} {value!r} is not a date (YYYY-MM-DD)", field=field) from None
    try:
        return datetime.combine(day + timedelta(days=1 if next_day else 0), time(), tzinfo=UTC)
    except OverflowError:
        raise InvalidRequest(f"{field} {value!r} is out of range", field=field) from None
