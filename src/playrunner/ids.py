"""Ids of Playrunner's own records (plays, runs, tasks, ...) as callers send them: one parser,
and one answer for text that cannot be an id: that record is not found."""

from __future__ import annotations

import os
import time
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


def time_ordered_id() -> uuid.UUID:
    """A UUID version 7 (RFC 9562): 48 bits of Unix time in milliseconds, then random bits.
    Rows written in order get keys in order, so an outbox table's primary-key index grows at
    its end instead of touching a random page per row (fewer pages written per commit, and a
    durable commit pays per page)."""
    milliseconds = time.time_ns() // 1_000_000
    random_bits = int.from_bytes(os.urandom(10), "big")  # 80 bits, 74 of them used
    value = (milliseconds & 0xFFFF_FFFF_FFFF) << 80
    value |= 0x7 << 76  # version
    value |= ((random_bits >> 68) & 0xFFF) << 64  # rand_a, 12 bits
    value |= 0b10 << 62  # variant
    value |= random_bits & 0x3FFF_FFFF_FFFF_FFFF  # rand_b, 62 bits
    return uuid.UUID(int=value)
