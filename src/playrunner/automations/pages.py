"""The run link: ``/run/{successplayId}?account={accountId}``, what a button in Salesforce (or
any CRM) opens. The person signs in if needed and comes back to the link, sees the play, the
account and what the play would create (the trigger's dry run), and runs it; then the link
shows what the run made. Any active user of the service may, as from an account page; the
checks, the account lookup (its own id or an external id such as a Salesforce Account Id) and
the engine are the trigger API's."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Annotated, TypeVar
from urllib.parse import quote, urlencode

from fastapi import Path, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from playrunner.accounts import service as accounts_service
from playrunner.api.dependencies import DatabaseDep
from playrunner.auth.principal import Principal
from playrunner.automations import service
from playrunner.automations.schemas import DryRunResult
from playrunner.errors import (
    AccountNotFound,
    InvalidRequest,
    NotFound,
    SuccessPlayNotFound,
)
from playrunner.idempotency.service import idempotent_request
from playrunner.ids import as_uuid
from playrunner.plays import service as plays_service
from playrunner.runs import service as runs_service
from playrunner.runs.schemas import RunDetail
from playrunner.ui.pages import redirect, render
from playrunner.ui.routes import pages_router
from playrunner.ui.session import CurrentUser, PostedForm

router = pages_router()

T = TypeVar("T")
PlayReference = Annotated[str, Path(min_length=1, max_length=255)]
AccountQuery = Annotated[str, Query(max_length=255)]


@dataclass(frozen=True)
class Confirmation:
    play_id: uuid.UUID
    play: str
    preview: DryRunResult


def _play_id(s: Session, user: Principal, reference: str) -> uuid.UUID:
    """The play a link names: its id, or its key (plays as code), as the CLI takes it."""
    play_id = plays_service.id_of(s, user.tenant_id, reference)
    if play_id is None:
        raise SuccessPlayNotFound()
    return play_id


def _confirmation(s: Session, user: Principal, reference: str, account: str) -> Confirmation:
    play_id = _play_id(s, user, reference)
    preview = service.dry_run(s, user, str(play_id), account, admins_only=False)
    names = plays_service.names_by_id(s, user.tenant_id, {play_id})
    return Confirmation(play_id, names.get(play_id, "SuccessPlay"), preview)


def _result(
    s: Session, user: Principal, reference: str, account: str, ran: str, skipped: bool
) -> RunDetail:
    """The run this link made (``?ran=``): a run of this play on this account. A run the
    duplicate policy skipped answers with the earlier run whose work is open, which may have
    been asked for another child of the account's parent."""
    play_id = _play_id(s, user, reference)
    found = accounts_service.find_snapshot(s, user.tenant_id, account)
    if found is None:
        raise AccountNotFound()
    run_id = as_uuid(ran)
    run = runs_service.read_run(s, user.tenant_id, run_id) if run_id is not None else None
    if (
        run is None
        or run.play_id != play_id
        or not (skipped or found.account_id in (run.requested_account_id, run.account_id))
    ):
        raise NotFound("This link did not make that run.", field="ran")
    return run


async def _as_page(work: Awaitable[T]) -> T:
    """The trigger's refusals, in its words; an unknown play or account is a 404 page here
    (the API answers 400, as Totango documents)."""
    try:
        return await work
    except (SuccessPlayNotFound, AccountNotFound) as refused:
        raise NotFound(refused.message, field=refused.field) from None


def _account_named(account: str) -> str:
    if not account.strip():
        raise InvalidRequest(
            "This run link names no account: it must end with ?account= and the account's id"
            " (or its Salesforce id).",
            field="account",
        )
    return account


@router.get("/run/{successplay_id}")
async def run_link(
    request: Request,
    user: CurrentUser,
    successplay_id: PlayReference,
    db: DatabaseDep,
    account: AccountQuery = "",
    ran: Annotated[str, Query(max_length=64)] = "",
    skipped: Annotated[str, Query(max_length=1)] = "",
) -> Response:
    """The confirmation: the play, the account and what a run would create; or, once run
    (``?ran=``), what it created."""
    account = _account_named(account)
    if ran:
        run = await _as_page(
            db.read(lambda s: _result(s, user, successplay_id, account, ran, skipped == "1"))
        )
        return render(
            request,
            "automations/run_result.html",
            {"run": run, "skipped": skipped == "1"},
        )
    confirmation = await _as_page(
        db.read(lambda s: _confirmation(s, user, successplay_id, account))
    )
    return render(
        request,
        "automations/run_link.html",
        {
            "confirmation": confirmation,
            "preview": confirmation.preview,
            "action": _link(successplay_id, account),
            "named_as": account,
            "key": f"web-{uuid.uuid4()}",
        },
    )


@router.post("/run/{successplay_id}")
async def run_from_link(
    request: Request,
    user: CurrentUser,
    successplay_id: PlayReference,
    form: PostedForm,
    db: DatabaseDep,
    account: AccountQuery = "",
) -> Response:
    """Run it. The key the confirmation put in its form makes a double click one run."""
    account = _account_named(account)
    payload = {"successplayId": successplay_id, "accountId": account}
    key = idempotent_request(form.get("key") or f"web-{uuid.uuid4()}", request.url.path, payload)
    assert key is not None

    def run(s: Session) -> service.Answer:
        play_id = _play_id(s, user, successplay_id)
        return service.run_from_app(s, user, str(play_id), account, key)

    answer = await _as_page(db.write(run))
    result = {"ran": answer.body["runId"], **({"skipped": "1"} if answer.body["skipped"] else {})}
    return redirect(f"{_link(successplay_id, account)}&{urlencode(result)}")


def _link(reference: str, account: str) -> str:
    return f"/run/{quote(reference, safe='')}?{urlencode({'account': account})}"
