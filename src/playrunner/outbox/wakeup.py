"""Telling this process's workers of new outbox rows once the unit of work that wrote them
has committed (after the group commit on SQLite; never on rollback). Without a listener
(a CLI command, a server whose workers run elsewhere) nothing is told: the sweep finds the
rows instead."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session

from playrunner.db import after_commit

# (kind, row ids): the kind is the huey task that sends such rows ("deliver", "send_email").
Listener = Callable[[str, list[uuid.UUID]], None]

# Set by ``outbox.workers.Workers.serve`` in a process that runs workers.
_listeners: list[Listener] = []
_NEW = "playrunner_new_outbox_rows"


def listen(listener: Listener | None, replacing: Listener | None = None) -> None:
    """Set who hears of new rows in this process (``None``: nobody, if ``replacing`` is
    still the one set)."""
    if listener is not None:
        _listeners[:] = [listener]
    elif replacing is None or replacing in _listeners:
        _listeners.clear()


def announce(session: Session, kind: str, row_ids: list[uuid.UUID]) -> None:
    """Once this unit of work commits, tell the workers about these rows (an empty list
    still wakes them: there is work of this kind to expect)."""
    if not _listeners:
        return
    pending: dict[str, list[uuid.UUID]] | None = session.info.get(_NEW)
    if pending is None:
        pending = session.info[_NEW] = {}
        listener = _listeners[0]

        def tell_pending() -> None:
            for each_kind, ids in pending.items():
                listener(each_kind, list(ids))

        after_commit(session, tell_pending)
    pending.setdefault(kind, []).extend(row_ids)


def tell(kind: str, row_ids: list[uuid.UUID]) -> None:
    """Tell the workers about rows already committed (by ``Database.write_one``, whose
    statement has no session to wait on)."""
    if _listeners:
        _listeners[0](kind, row_ids)
