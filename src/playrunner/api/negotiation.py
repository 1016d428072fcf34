"""Which form a client wants its answer in: Totango's plain text, or JSON."""

from __future__ import annotations

from starlette.datastructures import Headers

JSON_TYPES = ("application/json", "application/problem+json")


def wants_json(headers: Headers) -> bool:
    """True when the Accept header names JSON with a non-zero q. ``*/*`` (curl's default)
    keeps Totango's text."""
    accept = headers.get("accept", "")
    if "json" not in accept:
        return False
    for media_range in accept.split(","):
        media_type, *params = (part.strip() for part in media_range.split(";"))
        if media_type.lower() in JSON_TYPES and _quality(params) > 0:
            return True
    return False


def _quality(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 1.0
    return 1.0
