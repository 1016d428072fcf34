"""Bodies of HTML forms (``application/x-www-form-urlencoded``), read strictly."""

from __future__ import annotations

from urllib.parse import parse_qsl

MAX_FIELDS = 100


def parse_form(body: bytes, max_fields: int = MAX_FIELDS) -> list[tuple[str, str]] | None:
    """The form's fields in order, or None when the body is not one (not UTF-8, too many
    fields, or a NUL character, which nothing here may hold)."""
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            max_num_fields=max_fields,
            errors="strict",
        )
    except (UnicodeDecodeError, ValueError):
        return None
    if any("\x00" in name or "\x00" in value for name, value in pairs):
        return None
    return pairs
