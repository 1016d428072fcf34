"""An account's ids in other systems (its Salesforce Account Id, ...): which system names and
values are accepted, the one form each value is stored in, and the forms a lookup tries.

Salesforce ids come in two forms: 15 characters, case-sensitive (what Salesforce's UI and a
``{!Account.Id}`` merge field in some contexts give), and 18 characters, the same 15 plus a
3-character suffix that encodes the case of the 15 (what the API gives), so that the 18-character
form survives tools that ignore case. Playrunner stores the 18-character form and finds it
from either.
"""

from __future__ import annotations

import re

SALESFORCE = "salesforce"
SYSTEM_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"
MAX_EXTERNAL_ID_LENGTH = 255

_SYSTEM = re.compile(SYSTEM_PATTERN)
_ALPHANUMERIC = re.compile(r"^[A-Za-z0-9]+$")
# Salesforce's suffix alphabet: a chunk's 5 case bits (0-31) name one of these.
_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def salesforce_suffix(id15: str) -> str:
    """The 3 characters Salesforce appends to a 15-character id: for each chunk of 5
    characters, bit i is set when character i is an upper-case letter."""
    suffix = ""
    for start in (0, 5, 10):
        bits = 0
        for position, char in enumerate(id15[start : start + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << position
        suffix += _SUFFIX_ALPHABET[bits]
    return suffix


def _with_case_restored(id18: str) -> str | None:
    """An 18-character id whose first 15 characters may have lost their case (the reason the
    suffix exists), with the case the suffix records; None when the suffix is not one."""
    chars = list(id18[:15].lower())
    for chunk, suffix_char in enumerate(id18[15:].upper()):
        bits = _SUFFIX_ALPHABET.find(suffix_char)
        if bits < 0:
            return None
        for position in range(5):
            if bits & (1 << position):
                chars[chunk * 5 + position] = chars[chunk * 5 + position].upper()
    restored = "".join(chars)
    # A bit set on a digit cannot be restored: such a suffix was never Salesforce's.
    if salesforce_suffix(restored) != id18[15:].upper():
        return None
    return restored + id18[15:].upper()


def canonical_salesforce_id(value: str) -> str:
    """The 18-character form of a Salesforce id, as stored; ``ValueError`` saying what is
    wrong when ``value`` is not one (15 or 18 letters and digits, a suffix that matches)."""
    text = value.strip()
    if not _ALPHANUMERIC.match(text) or len(text) not in (15, 18):
        raise ValueError(
            f"{value!r} is not a Salesforce id: 15 or 18 letters and digits, such as"
            " 001Dn00000AbCdE or 001Dn00000AbCdEIAV"
        )
    if len(text) == 15:
        return text + salesforce_suffix(text)
    if salesforce_suffix(text[:15]) == text[15:].upper():
        return text[:15] + text[15:].upper()
    # A tool that ignores case wrote it all in one case: the suffix gives the case back.
    # Mixed case that disagrees with the suffix is a mistyped id, not a lost case.
    case_lost = text[:15] in (text[:15].lower(), text[:15].upper())
    restored = _with_case_restored(text) if case_lost else None
    if restored is None:
        raise ValueError(
            f"{value!r} is not a Salesforce id: its last 3 characters do not match the first 15"
        )
    return restored


def canonical_external_id(system: str, value: str) -> str:
    """A value as stored for ``system``; ``ValueError`` saying what is wrong."""
    if not _SYSTEM.match(system):
        raise ValueError(
            f"system {system!r} must be 1 to 32 lower-case letters, digits and '_',"
            " starting with a letter (such as 'salesforce')"
        )
    if system == SALESFORCE:
        return canonical_salesforce_id(value)
    text = value.strip()
    if not text or len(text) > MAX_EXTERNAL_ID_LENGTH:
        raise ValueError(f"must be 1 to {MAX_EXTERNAL_ID_LENGTH} characters")
    return text


def lookup_forms(given: str) -> list[str]:
    """The stored values that a caller's ``given`` id may name: itself, and where it looks
    like a Salesforce id, its stored 18-character form."""
    forms = [given]
    try:
        stored = canonical_salesforce_id(given)
    except ValueError:
        return forms
    if stored != given:
        forms.append(stored)
    return forms
