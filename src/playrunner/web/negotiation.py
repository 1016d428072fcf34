"""Which form a client wants its answer in: Totango's plain text, or JSON."""

from __future__ import annotations

from starlette.datastructures import Headers

JSON_TYPES = ("application/json", "application/problem+json")


def wants_json(headers: Headers) -> bool:
    """True when the Accept header names JSON. ``*/*`` (curl's default) keeps Totango's text."""
    accept = headers.get("accept", "")
    if "json" not in accept:
        return False
    for media_range in accept.split(","):
        media_type, _, params = media_range.partition(";")
        if media_type.strip().lower() in JSON_TYPES and "q=0" not in params.replace(" ", "").split(
            ";"
        ):
            return True
    return False
