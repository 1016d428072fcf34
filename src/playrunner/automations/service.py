"""Running a manual SuccessPlay: Totango's checks, in Totango's order, then the engine.

Shared by the HTTP trigger API and ``playrunner run`` so both refuse the same things with
the same words.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from playrunner.accounts import repository as accounts_repository
from playrunner.auth.principal import Principal, require_service_admin
from playrunner.errors import AccountNotFound, SuccessPlayNotFound, SuccessPlayNotManual
from playrunner.models import RunSource
from playrunner.plays import repository as plays_repository
from playrunner.plays.service import parse_play_id
from playrunner.runs.service import RunOutcome, start_run


def run_manual_successplay(
    session: Session,
    runner: Principal,
    successplay_id: str,
    account_id: str,
    source: RunSource,
) -> RunOutcome:
    require_service_admin(runner)
    play_id = parse_play_id(successplay_id)
    play = (
        plays_repository.load_plan(session, runner.tenant_id, play_id)
        if play_id is not None
        else None
    )
    # An inactive play is "not found", as Totango documents.
    if play is None or not play.active:
        raise SuccessPlayNotFound()
    if not play.manual_trigger:
        raise SuccessPlayNotManual()
    account = accounts_repository.find_snapshot(session, runner.tenant_id, account_id)
    if account is None:
        raise AccountNotFound()
    return start_run(session, play, account, runner, source)
