"""The one source of "now", so tests can move time with time-machine."""

from __future__ import annotations

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in UTC, which due dates count from."""
    return utcnow().date()
