"""Ids of Playrunner's own records (plays, runs, tasks, ...) as callers send them: one parser,
and one answer for text that cannot be an id: that record is not found."""

from __future__ import annotations

import uuid

from playrunner.errors import NotFound


def as_uuid(value: object) -> uuid.UUID | None:
    """``value`` as a UUID, or None when it cannot be one."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value)) if isinstance(value, str) else None
    except ValueError:
        return None


def parse_id(value: str, what: str, field: str) -> uuid.UUID:
    """The id of a ``what`` from a URL: a malformed one names nothing, so it is "not found",
    with the same words as an id that is well formed but unknown."""
    parsed = as_uuid(value)
    if parsed is None:
        raise NotFound(f"{what} {value} not found", field=field)
    return parsed
