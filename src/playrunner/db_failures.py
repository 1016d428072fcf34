"""Database failures, as the unit of work and the log see them: whether a write lost a race
to a concurrent transaction (and may run again), and a failure told in one line."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

# How many times a write that lost a race to a concurrent one is run in all.
WRITE_ATTEMPTS = 4
# SQLSTATEs of a transaction that lost to a concurrent one: unique_violation,
# foreign_key_violation (a row it refers to was just deleted), serialization_failure,
# deadlock_detected.
LOST_RACE_SQLSTATES = frozenset({"23505", "23503", "40001", "40P01"})


def lost_a_race(exc: BaseException) -> bool:
    """Whether ``exc`` is a write that collided with a concurrent transaction."""
    if isinstance(exc, StaleDataError):  # the row an UPDATE or DELETE expected is gone
        return True
    return (
        isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in LOST_RACE_SQLSTATES
    )


def describe_failure(exc: BaseException) -> str:
    """A database failure in one line for the log: the driver's error class and the first
    line of its message. Never the SQL or its parameters (they hold customer data)."""
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0] if lines else 'no message'}"
