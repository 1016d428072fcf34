"""Checking accounts against event plays' criteria.

When an account's attributes change (the management API, a CSV import, a submitted form, an
inbound event), ``changes.record`` writes a ``CriteriaCheck`` in the change's own
transaction, if the service has an event play with criteria: the change and the duty to
check it commit together. The outbox workers make the checks (``check_many``): each account
is compared with each play's criteria, its state (inside or not) is updated, and a play
whose account entered (or exited, as the play says) runs on it, as the user who made the
change, in the same transaction that deletes the check; a check is made once. Date
conditions change with the day, so once a day (``queue_daily``, from the workers' sweep)
every account of a service with such a play is checked too.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from playrunner.accounts import service as accounts_service
from playrunner.automations import service as automations_service
from playrunner.clock import utcnow
from playrunner.config import Settings
from playrunner.criteria import changes, repository
from playrunner.criteria.evaluation import meets
from playrunner.criteria.schemas import EventCriteria
from playrunner.db import Database
from playrunner.db_failures import describe_failure
from playrunner.models import CriteriaCheck, CriteriaCheckStatus, RunSource
from playrunner.outbox import batches
from playrunner.outbox.workers import Kind
from playrunner.plays import service as plays_service
from playrunner.runs.engine import start_runs
from playrunner.users import service as users_service

logger = logging.getLogger("playrunner.criteria")

_CRITERIA = TypeAdapter(EventCriteria)


def parse(criteria: Mapping[str, Any]) -> EventCriteria:
    return _CRITERIA.validate_python(criteria)


# The daily check of date conditions


def queue_daily(database: Database, today: date | None = None) -> int:
    """Queue today's check of every account of each service with an event play whose
    criteria have a date condition, once per service and day; how many accounts."""
    day = today or utcnow().date()
    queued = 0
    with database.session(read_only=True) as session:
        tenants = repository.tenants_with_criteria_plays(session)
    for tenant_id in tenants:
        with database.session() as session:
            plays = repository.criteria_plays(session, tenant_id)
            if not any(parse(criteria).has_dates for _, criteria in plays):
                continue
            accounts = repository.account_ids(session, tenant_id)
            if not repository.claim_day(session, tenant_id, day, len(accounts), utcnow()):
                continue
            changes.add_checks(session, tenant_id, [(pk, None, None) for pk in accounts], None)
            queued += len(accounts)
    return queued


def _queue_daily_logged(_settings: Settings, database: Database) -> None:
    try:
        queued = queue_daily(database)
    except Exception as exc:
        logger.error(
            "could not queue the daily check of date conditions: %s", describe_failure(exc)
        )
        return
    if queued:
        logger.info("daily check of date conditions: %d accounts queued", queued)


# In the workers


def check_many(
    database: Database, settings: Settings, ids: list[uuid.UUID]
) -> dict[uuid.UUID, float]:
    """Make those of these checks that are due and free (``outbox.batches``). Returns the
    seconds until the next try of those that failed."""
    return batches.all_or_each(
        database,
        settings,
        ids,
        _check_due,
        table=CriteriaCheck,
        failed=CriteriaCheckStatus.FAILED,
        what="check event criteria",
    )


def _check_due(session: Session, ids: list[uuid.UUID]) -> None:
    for check in repository.take_checks(session, ids, utcnow()):
        _check(session, check)


def _check(session: Session, check: repository.TakenCheck) -> None:
    tenant_id = check.tenant_id
    plays = [
        (play_id, parse(criteria))
        for play_id, criteria in repository.criteria_plays(session, tenant_id)
    ]
    if check.changes is None:  # the daily check: only date conditions change with the day
        plays = [(play_id, criteria) for play_id, criteria in plays if criteria.has_dates]
    if not plays:
        return
    account = accounts_service.snapshots_by_pk(session, tenant_id, {check.account_id}).get(
        check.account_id
    )
    if account is None:
        return
    today = utcnow().date()
    attributes = check.attributes if check.attributes is not None else account.attributes
    was = repository.states(session, [play_id for play_id, _ in plays], account.id)
    to_run: list[uuid.UUID] = []
    for play_id, criteria in plays:
        inside = meets(criteria, attributes, check.changes, today)
        state = was.get(play_id)
        if state is not None and state[1] > check.created_at:
            continue  # a later change of the account (checked first) decided already
        if inside == (state is not None and state[0]):
            continue
        repository.set_state(session, tenant_id, play_id, account.id, inside, check.created_at)
        if inside == (criteria.run_on == "enter"):
            to_run.append(play_id)
    if not to_run:
        return
    user = users_service.acting_user(session, tenant_id, check.actor_user_id)
    if user is None:
        logger.warning(
            "event plays not run on %s: the service has no active admin", account.account_id
        )
        return
    runner = users_service.principal_for(user)
    for play_id in to_run:
        plan = plays_service.load_plan(session, tenant_id, play_id)
        if plan is None or not plan.active:
            continue
        automations_service.lock_for_duplicates(session, plan, [account])
        start_runs(session, plan, [account], runner, RunSource.EVENT)


KIND = Kind(
    name=changes.OUTBOX_KIND,
    table=CriteriaCheck,
    sender=lambda settings, database: functools.partial(check_many, database, settings),
    waiting=lambda session, _settings: repository.any_pending_check(session),
    periodic=_queue_daily_logged,
)
