"""Bodies of HTML forms (``application/x-www-form-urlencoded``), read strictly."""

from __future__ import annotations

import re
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


_NUMBER = re.compile(r"-?[0-9]{1,9}")
_REMOVE = re.compile(r"remove:([0-9]{1,4})")


def number(text: str) -> int | str:
    """A number typed in a form as the integer a JSON body would carry; anything else as
    typed, for the API's rules to refuse in their words."""
    stripped = text.strip()
    return int(stripped) if _NUMBER.fullmatch(stripped) else stripped


def positions(pairs: list[tuple[str, str]], list_name: str) -> list[int]:
    """The positions of a repeated group of fields (``actions[0].title``, ``actions[3].due``
    -> [0, 3]), in order."""
    pattern = re.compile(rf"^{re.escape(list_name)}\[([0-9]{{1,4}})\]\.")
    return sorted({int(match.group(1)) for name, _ in pairs if (match := pattern.match(name))})


def removed_position(action: str) -> int | None:
    """The position a ``remove:N`` button names, if it names one."""
    match = _REMOVE.fullmatch(action)
    return int(match.group(1)) if match else None
