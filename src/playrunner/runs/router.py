"""``/api/v1/runs``: the history of plays run, each with what it created (admins only)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from playrunner.api.dependencies import DatabaseDep
from playrunner.api.openapi import READ_ERRORS
from playrunner.api.pagination import Page, PageDep
from playrunner.api.paths import RunId
from playrunner.auth.dependencies import AdminPrincipal, require_scope
from playrunner.models import RunSource
from playrunner.runs import service
from playrunner.runs.repository import RunFilter
from playrunner.runs.schemas import RunDetail, RunRead
from playrunner.validation import FilterText, Moment

router = APIRouter(prefix="/api/v1", tags=["Runs"])


@router.get(
    "/runs",
    operation_id="listRuns",
    dependencies=[require_scope("runs:read")],
    response_model=Page[RunRead],
    responses=READ_ERRORS,
)
async def list_runs(
    principal: AdminPrincipal,
    db: DatabaseDep,
    page: PageDep,
    play: Annotated[uuid.UUID | None, Query(description="Only runs of this play")] = None,
    account: Annotated[
        FilterText | None,
        Query(description="Only runs on this account id (acted on, or named in the call)"),
    ] = None,
    runner: Annotated[
        FilterText | None, Query(description="Only runs by the user with this email")
    ] = None,
    source: Annotated[
        RunSource | None, Query(description="Only runs from here: api, cli or web")
    ] = None,
    since: Annotated[
        Moment | None,
        Query(description="Only runs at or after this time (ISO 8601; UTC without a zone)"),
    ] = None,
    until: Annotated[
        Moment | None,
        Query(description="Only runs before this time (ISO 8601; UTC without a zone)"),
    ] = None,
) -> Page[RunRead]:
    """Runs of your service, newest first, with how many tasks and form requests each made."""
    where = RunFilter(
        play_id=play,
        account_id=account,
        runner_email=runner,
        source=source,
        since=since,
        until=until,
        limit=page.limit,
        offset=page.offset,
    )
    items, total = await db.read(lambda s: service.page_runs(s, principal.tenant_id, where))
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get(
    "/runs/{run_id}",
    operation_id="getRun",
    dependencies=[require_scope("runs:read")],
    response_model=RunDetail,
    responses=READ_ERRORS,
)
async def get_run(principal: AdminPrincipal, run_id: RunId, db: DatabaseDep) -> RunDetail:
    """One run: the play, the accounts, who ran it with which token, and the tasks and form
    requests it created in their current status."""
    return await db.read(lambda s: service.read_run(s, principal.tenant_id, run_id))
