"""Accounts in the web app: the list (search, attribute filters), an account's page (its
attributes, team, hierarchy, open work and runs), and running a manual SuccessPlay on it, as
from Totango's Quick Actions: see what it would create, then confirm."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import Path, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from playrunner.accounts import service
from playrunner.accounts.schemas import AccountRead
from playrunner.api.dependencies import DatabaseDep
from playrunner.auth.principal import Principal
from playrunner.automations import service as automations_service
from playrunner.automations.schemas import DryRunResult
from playrunner.db import Database
from playrunner.errors import NotFound, PlayrunnerError
from playrunner.form_requests import service as form_requests_service
from playrunner.form_requests.repository import FormRequestFilter
from playrunner.form_requests.schemas import FormRequestRead
from playrunner.idempotency.service import idempotent_request
from playrunner.ids import as_uuid
from playrunner.models import FormRequestStatus
from playrunner.pagination import MAX_PAGE_SIZE
from playrunner.plays import service as plays_service
from playrunner.plays.schemas import PlayRead
from playrunner.runs import service as runs_service
from playrunner.runs.repository import RunFilter
from playrunner.runs.schemas import RunDetail, RunRead
from playrunner.tasks import service as tasks_service
from playrunner.tasks.repository import TaskFilter
from playrunner.tasks.schemas import TaskRead, statuses_for
from playrunner.ui.pages import redirect, render
from playrunner.ui.paging import PageView
from playrunner.ui.routes import pages_router
from playrunner.ui.session import CurrentUser, PostedForm
from playrunner.users import service as users_service

router = pages_router()

PAGE_SIZE = 50
AccountIdPath = Annotated[str, Path(min_length=1, max_length=255)]


@router.get("/accounts")
async def accounts_page(
    request: Request,
    user: CurrentUser,
    db: DatabaseDep,
    q: Annotated[str, Query(max_length=255)] = "",
    attribute: Annotated[str, Query(max_length=600)] = "",
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    deleted: Annotated[str, Query(max_length=255)] = "",
) -> Response:
    attributes = [attribute.strip()] if attribute.strip() else None
    try:
        accounts, total = await db.read(
            lambda s: service.page_accounts(
                s,
                user.tenant_id,
                search=q,
                attributes=attributes,
                limit=PAGE_SIZE,
                offset=offset,
            )
        )
        error = None
    except PlayrunnerError as refused:
        accounts, total, error = [], 0, refused.message
    filters = {"q": q, "attribute": attribute}

    def url(offset: int | None) -> str:
        wanted = {**filters, "offset": offset or ""}
        return "/accounts?" + urlencode({k: v for k, v in wanted.items() if v not in ("", None)})

    return render(
        request,
        "accounts/accounts.html",
        {
            "accounts": accounts,
            "filters": filters,
            "filter_error": error,
            "deleted": deleted,
            "paging": PageView(total, PAGE_SIZE, offset, len(accounts)),
            "page_url": url,
        },
        status=400 if error else 200,
    )


@dataclass(frozen=True)
class AccountView:
    account: AccountRead
    children: list[AccountRead]
    tasks: list[TaskRead]
    form_requests: list[FormRequestRead]
    runs: list[RunRead]
    runs_total: int
    plays: list[PlayRead]
    ran: RunDetail | None = None
    answered: FormRequestRead | None = None
    names: dict[str, str] = field(default_factory=dict)  # team members' names by email


def _account_view(
    s: Session, user: Principal, account_id: str, ran: str, answered: str
) -> AccountView:
    tenant = user.tenant_id
    account = service.read_account(s, tenant, account_id)
    children, _ = service.page_accounts(s, tenant, parent=account_id, limit=100, offset=0)
    tasks, _ = tasks_service.page_tasks(
        s, user, TaskFilter(account_id=account_id, statuses=statuses_for("open"), limit=100)
    )
    requests, _ = form_requests_service.page_form_requests(
        s,
        user,
        FormRequestFilter(account_id=account_id, status=FormRequestStatus.OPEN, limit=100),
    )
    runs, runs_total = runs_service.page_runs(s, tenant, RunFilter(account_id=account_id, limit=20))
    plays, _ = plays_service.page_plays(
        s, tenant, trigger="manual", active=True, limit=MAX_PAGE_SIZE, offset=0
    )
    ran_run = _run_on(s, tenant, ran, account)
    answered_request = _answered_on(s, user, answered, account)
    team = users_service.users_by_email(s, tenant, set(account.roles.values()))
    return AccountView(
        account,
        children,
        tasks,
        requests,
        runs,
        runs_total,
        plays,
        ran_run,
        answered_request,
        {email: member.name for email, member in team.items()},
    )


def _run_on(s: Session, tenant: str, run_id: str, account: AccountRead) -> RunDetail | None:
    """The run just made from this page (``?ran=``), to say what it created."""
    parsed = as_uuid(run_id) if run_id else None
    if parsed is None:
        return None
    try:
        run = runs_service.read_run(s, tenant, parsed)
    except NotFound:
        return None
    return run if account.account_id in (run.requested_account_id, run.account_id) else None


def _answered_on(
    s: Session, user: Principal, request_id: str, account: AccountRead
) -> FormRequestRead | None:
    """The form request just answered (``?answered=``), to show what it changed."""
    parsed = as_uuid(request_id) if request_id else None
    if parsed is None:
        return None
    try:
        found = form_requests_service.read_form_request(s, user, parsed)
    except NotFound:
        return None
    return found if found.account_id == account.account_id else None


@router.get("/accounts/{account_id}")
async def account_page(
    request: Request,
    user: CurrentUser,
    account_id: AccountIdPath,
    db: DatabaseDep,
    ran: Annotated[str, Query(max_length=64)] = "",
    answered: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    view = await db.read(lambda s: _account_view(s, user, account_id, ran, answered))
    changed = set(view.answered.answers or {}) if view.answered else set()
    return render(request, "accounts/account.html", {"view": view, "changed": changed})


@router.get("/accounts/{account_id}/run")
async def run_preview(
    request: Request,
    user: CurrentUser,
    account_id: AccountIdPath,
    db: DatabaseDep,
    play: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    """What running the play on the account would create (the API's dry run), and the button
    that runs it."""
    account = await db.read(lambda s: service.read_account(s, user.tenant_id, account_id))
    preview = await db.read(
        lambda s: automations_service.dry_run(s, user, play, account_id, admins_only=False)
    )
    return render(
        request,
        "accounts/run.html",
        {
            "account": account,
            "preview": preview,
            "play": await _play_name(db, user, preview),
            "key": f"web-{uuid.uuid4()}",
        },
    )


@router.post("/accounts/{account_id}/run")
async def run_play(
    request: Request,
    user: CurrentUser,
    account_id: AccountIdPath,
    form: PostedForm,
    db: DatabaseDep,
) -> Response:
    """Run it, through the same checks and engine as the API. The key the preview page put in
    the form makes a double click (or a reload that posts again) one run."""
    play_id = form.get("play")
    payload = {"successplayId": play_id, "accountId": account_id}
    key = idempotent_request(form.get("key") or f"web-{uuid.uuid4()}", request.url.path, payload)
    assert key is not None
    answer = await db.write(
        lambda s: automations_service.run_from_app(s, user, play_id, account_id, key)
    )
    run_id = answer.body["runId"]
    return redirect(f"/accounts/{quote(account_id, safe='')}?ran={run_id}")


async def _play_name(db: Database, user: Principal, preview: DryRunResult) -> str:
    names = await db.read(
        lambda s: plays_service.names_by_id(s, user.tenant_id, {preview.successplayId})
    )
    return str(names.get(preview.successplayId, "SuccessPlay"))
