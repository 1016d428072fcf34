"""Running a manual SuccessPlay: Totango's checks, in Totango's order, then the engine.

Shared by the HTTP trigger API and ``playrunner run`` so both refuse the same things with
the same words. Beyond Totango: idempotent retries, the duplicate policy, dry runs and bulk
runs, all through the same checks and the same engine.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from playrunner.accounts import service as accounts_service
from playrunner.auth.principal import Principal, require_service_admin
from playrunner.automations.schemas import (
    MAX_BULK,
    BulkItem,
    BulkRunResult,
    BulkTrigger,
    DryRunAccount,
    DryRunFormRequest,
    DryRunResult,
    DryRunTask,
    Trigger,
    trigger_result,
)
from playrunner.errors import (
    AccountNotFound,
    InvalidRequest,
    SuccessPlayNotFound,
    SuccessPlayNotManual,
)
from playrunner.flows import service as flows_service
from playrunner.forms import service as forms_service
from playrunner.idempotency import service as idempotency
from playrunner.idempotency.service import IdempotentRequest, StoredAnswer
from playrunner.ids import as_uuid
from playrunner.models import DuplicatePolicy, RunSource
from playrunner.models.records import AccountSnapshot, RoleHolder
from playrunner.plays import service as plays_service
from playrunner.plays.plan import PlayPlan
from playrunner.runs.engine import RunOutcome, start_run, start_runs
from playrunner.runs.schemas import RunDetail
from playrunner.runs.service import read_run


@dataclass(frozen=True)
class Answer:
    """What a trigger answers; ``replayed`` when an idempotency key gave a stored answer."""

    status_code: int
    body: dict[str, Any]
    replayed: bool = False


def runnable_play(
    session: Session, runner: Principal, successplay_id: str, *, admins_only: bool = True
) -> PlayPlan:
    """The checks that come before the account: role, play, manual. Through the trigger API
    and the CLI only admins run plays, as Totango documents; from an account page in the web
    app any active user of the service may (``admins_only=False``), as from Totango's Quick
    Actions."""
    if admins_only:
        require_service_admin(runner)
    play_id = as_uuid(successplay_id)
    play = (
        plays_service.load_plan(session, runner.tenant_id, play_id) if play_id is not None else None
    )
    # An inactive play is "not found", as Totango documents.
    if play is None or not play.active:
        raise SuccessPlayNotFound()
    if not play.manual_trigger:
        raise SuccessPlayNotManual()
    return play


def _account(
    session: Session, runner: Principal, account_id: str
) -> tuple[AccountSnapshot, dict[uuid.UUID, RoleHolder]]:
    """The account named in the call, with its team (read together, for the run)."""
    found = accounts_service.find_snapshot_with_team(session, runner.tenant_id, account_id)
    if found is None:
        raise AccountNotFound()
    return found


def lock_for_duplicates(session: Session, play: PlayPlan, accounts: list[AccountSnapshot]) -> None:
    """With skip_if_open, two triggers on one account must not both find it clear: hold the
    accounts (and their parents) until this transaction ends. SQLite's single writer already
    serialises them."""
    if play.duplicate_policy is DuplicatePolicy.SKIP_IF_OPEN:
        pks = {a.id for a in accounts} | {a.parent_id for a in accounts if a.parent_id}
        accounts_service.lock_accounts(session, pks)


def run_manual_successplay(
    session: Session,
    runner: Principal,
    successplay_id: str,
    account_id: str,
    source: RunSource,
) -> RunOutcome:
    return run_manual_successplays(session, [runner], successplay_id, [account_id], source)[0]


def run_manual_successplays(
    session: Session,
    runners: list[Principal],
    successplay_id: str,
    account_ids: list[str],
    source: RunSource,
) -> list[RunOutcome]:
    """The play run by ``runners[i]`` on ``account_ids[i]`` (one service's trigger calls),
    after Totango's checks in Totango's order: the play (with the first caller's role), every
    other caller's role, the accounts. Raises what the first failing check raises; the runs
    are one batch of the engine (as a bulk run's: one INSERT per table), in order (a later
    run on an account where an earlier one left items open is skipped, as it would have been
    a moment later)."""
    play = runnable_play(session, runners[0], successplay_id)
    for runner in runners[1:]:
        require_service_admin(runner)
    found = accounts_service.find_snapshots_with_teams(session, play.tenant_id, account_ids)
    if len(found) < len(set(account_ids)):
        raise AccountNotFound()
    accounts = [found[account_id][0] for account_id in account_ids]
    lock_for_duplicates(session, play, accounts)
    teams = {account.id: team for account, team in found.values()}
    return start_runs(session, play, accounts, runners[0], source, teams=teams, runners=runners)


def trigger_together(
    session: Session,
    runners: list[Principal],
    successplay_id: str,
    account_ids: list[str],
    source: RunSource,
) -> list[Answer]:
    """Trigger calls of one play in one service run together (``automations/turns.py``):
    ``run_manual_successplays``, and each call's answer, in order."""
    outcomes = run_manual_successplays(session, runners, successplay_id, account_ids, source)
    return [Answer(200, outcome_answer(outcome)) for outcome in outcomes]


def run_from_app(
    session: Session,
    runner: Principal,
    successplay_id: str,
    account_id: str,
    key: IdempotentRequest,
) -> Answer:
    """A person runs a manual play from an account page: any active user of the service may
    (Totango's Quick Actions), through the same checks, engine and duplicate policy as the
    API. The run records who ran it and that it came from the web app; the page's key makes a
    double click one run."""

    def run() -> dict[str, Any]:
        play = runnable_play(session, runner, successplay_id, admins_only=False)
        account, team = _account(session, runner, account_id)
        lock_for_duplicates(session, play, [account])
        return outcome_answer(start_run(session, play, account, runner, RunSource.WEB, team=team))

    return _idempotently(session, runner, key, run)


def outcome_answer(outcome: RunOutcome) -> dict[str, Any]:
    """The JSON answer to one run (a skipped one names the earlier run)."""
    if outcome.skipped and outcome.run.skipped_for_run_id is not None:
        return trigger_result(outcome.run.skipped_for_run_id, [], [], skipped=True)
    return trigger_result(
        outcome.run.id,
        [task.id for task in outcome.tasks],
        [request.id for request in outcome.form_requests],
    )


def trigger(
    session: Session,
    runner: Principal,
    request: Trigger,
    source: RunSource,
    key: IdempotentRequest | None,
) -> Answer:
    """One trigger through the API: with an idempotency key, the first answer is stored
    and a retry gets it back instead of running again."""
    return _idempotently(
        session,
        runner,
        key,
        lambda: outcome_answer(
            run_manual_successplay(
                session, runner, request.successplay_id, request.account_id, source
            )
        ),
    )


def _idempotently(
    session: Session, runner: Principal, key: IdempotentRequest | None, run: Any
) -> Answer:
    if key is not None:
        stored = idempotency.begin(session, runner, key)
        if stored is not None:
            return Answer(stored.status_code, stored.body, replayed=True)
    body: dict[str, Any] = run()
    if key is not None:
        idempotency.finish(session, runner, key, StoredAnswer(200, body))
    return Answer(200, body)


def dry_run(
    session: Session,
    runner: Principal,
    successplay_id: str,
    account_id: str,
    *,
    admins_only: bool = True,
) -> DryRunResult:
    """Every check, and the items the trigger would make; nothing is written."""
    play = runnable_play(session, runner, successplay_id, admins_only=admins_only)
    account, team = _account(session, runner, account_id)
    outcome = start_run(session, play, account, runner, RunSource.API, write=False, team=team)
    flows = flows_service.keys_by_pk(session, {t.flow_id for t in outcome.tasks if t.flow_id})
    forms = forms_service.names_by_pk(session, {r.form_id for r in outcome.form_requests})
    return DryRunResult(
        status="DryRun",
        successplayId=play.id,
        account=DryRunAccount(
            accountId=outcome.target.account_id,
            name=outcome.target.name,
            requestedAccountId=account.account_id,
        ),
        tasks=[
            DryRunTask(
                title=task.title,
                description=task.description,
                assignee=outcome.assignees[task.id],
                dueDate=str(task.due_date),
                priority=task.priority,
                flow=flows.get(task.flow_id) if task.flow_id else None,
                touchpointRequired=task.touchpoint_required,
                fallback=task.assignee_fallback,
            )
            for task in outcome.tasks
        ],
        formRequests=[
            DryRunFormRequest(
                form=forms[request.form_id],
                assignee=outcome.assignees[request.id],
                dueDate=str(request.due_date),
                instructions=request.instructions,
                fallback=request.assignee_fallback,
            )
            for request in outcome.form_requests
        ],
        wouldSkip=outcome.skipped,
        openRunId=outcome.run.skipped_for_run_id,
    )


def run_bulk(
    session: Session,
    runner: Principal,
    request: BulkTrigger,
    source: RunSource,
    key: IdempotentRequest | None,
) -> Answer:
    """A play on many accounts in one call: one result per account, in the order given.
    The play's checks fail the whole call, with the single call's messages; unknown
    accounts are reported and the others run."""
    return _idempotently(
        session,
        runner,
        key,
        lambda: _bulk(session, runner, request, source).model_dump(mode="json"),
    )


def _bulk(
    session: Session, runner: Principal, request: BulkTrigger, source: RunSource
) -> BulkRunResult:
    play = runnable_play(session, runner, request.successplay_id)
    if request.account_ids is not None:
        wanted = request.account_ids
        found = accounts_service.snapshots_by_account_id(
            session, runner.tenant_id, sorted(set(wanted))
        )
    else:
        matching = accounts_service.snapshots_matching(
            session, runner.tenant_id, request.attributes or {}, MAX_BULK + 1
        )
        if len(matching) > MAX_BULK:
            raise InvalidRequest(
                f"filter matches more than {MAX_BULK:,} accounts; narrow it", field="filter"
            )
        wanted = [a.account_id for a in matching]
        found = {a.account_id: a for a in matching}
    accounts = [found[account_id] for account_id in wanted if account_id in found]
    lock_for_duplicates(session, play, accounts)
    outcomes = iter(start_runs(session, play, accounts, runner, source))
    results = []
    for account_id in wanted:
        if account_id not in found:
            results.append(
                BulkItem(accountId=account_id, status="not_found", message="Account not found")
            )
            continue
        outcome = next(outcomes)
        if outcome.skipped:
            results.append(
                BulkItem(
                    accountId=account_id, status="skipped", runId=outcome.run.skipped_for_run_id
                )
            )
        else:
            results.append(BulkItem(accountId=account_id, status="success", runId=outcome.run.id))
    return BulkRunResult(
        successplayId=play.id,
        succeeded=sum(r.status == "success" for r in results),
        skipped=sum(r.status == "skipped" for r in results),
        failed=sum(r.status == "not_found" for r in results),
        results=results,
    )


def run_status(session: Session, runner: Principal, run_id: uuid.UUID) -> RunDetail:
    """A run and its items' current status (the trigger's ``Location``)."""
    require_service_admin(runner)
    return read_run(session, runner.tenant_id, run_id)
