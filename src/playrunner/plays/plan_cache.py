"""Play plans kept by each process for at most a second.

Every trigger reads the play it runs (its actions, their role names and flow keys): one query
that was a sixth of the trigger's time. Now each process keeps the plans it read, by
database, tenant and play, for at most ``TTL`` seconds, so that an edit stays prompt:

- a unit of work that changes anything a plan is made of (a play, its actions, an account
  role's name, a flow) makes this process forget every plan it keeps once it commits, so the
  next trigger here runs the play as edited (or refuses it, deactivated or deleted);
- every other process reads the play again at most ``TTL`` seconds later.

What counts as a change is found by the ORM, not by each service remembering to say so: a
flush that writes one of ``PLAN_MODELS`` (new, changed or deleted) arranges the forgetting
(``_watch_flushes``). Every change to these tables goes through the ORM; a bulk Core UPDATE of
them would not be seen, so one added later must call ``forget`` after its commit itself. Same
choice of a TTL as the principals' (``auth/principals.py`` says why).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from itertools import chain
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction

from playrunner.db import after_commit
from playrunner.models import AccountRole, Flow, PlayAction, SuccessPlay
from playrunner.plays.plan import PlayPlan

TTL = 1.0
# Past this many plans (a process running very many plays within a second), start again
# rather than grow.
MOST_PLANS = 10_000
PLAN_MODELS = (SuccessPlay, PlayAction, AccountRole, Flow)

CHANGED = "playrunner_plans_changed"  # in a session's info

# (database URL, tenant, play id) -> (monotonic time until which it holds, plan)
_kept: dict[tuple[Any, str, uuid.UUID], tuple[float, PlayPlan | None]] = {}


def plan(
    session: Session,
    tenant_id: str,
    play_id: uuid.UUID,
    load: Callable[[Session, str, uuid.UUID], PlayPlan | None],
) -> PlayPlan | None:
    """The plan this process read less than ``TTL`` ago, else ``load``'s (then kept). A play
    that was not found is kept as not found for as long. A unit of work that has itself
    changed plays reads them as it left them, and keeps nothing (it may yet roll back)."""
    if session.info.get(CHANGED):
        return load(session, tenant_id, play_id)
    key = (session.get_bind().engine.url, tenant_id, play_id)
    found = _kept.get(key)
    now = time.monotonic()
    if found is not None and now < found[0]:
        return found[1]
    loaded = load(session, tenant_id, play_id)
    if len(_kept) >= MOST_PLANS:
        _kept.clear()
    _kept[key] = (now + TTL, loaded)
    return loaded


def forget() -> None:
    """Forget every plan this process keeps."""
    _kept.clear()


@event.listens_for(Session, "after_flush")
def _watch_flushes(session: Session, _flush: UOWTransaction) -> None:
    # After the flush the session's new, dirty and deleted still hold what it wrote.
    for instance in chain(session.new, session.dirty, session.deleted):
        if isinstance(instance, PLAN_MODELS):
            session.info[CHANGED] = True
            after_commit(session, forget)
            return
