"""Applying a source's rules to an event: which rule matches, the account id it names, the
values it takes. Pure functions of the rules and the payload (JMESPath, from the ``jmespath``
library: the query language AWS and Azure command lines use)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jmespath

from playrunner.models import EventRule


@dataclass(frozen=True)
class Match:
    rule: EventRule
    account_id: str | None  # None: the rule's account path found nothing usable


def first_match(rules: Sequence[EventRule], payload: Any) -> Match | None:
    """The first enabled rule (in position order) whose conditions hold on the event."""
    for rule in rules:
        if rule.enabled and all(
            _same(jmespath.search(path, payload), wanted) for path, wanted in rule.match.items()
        ):
            return Match(rule, _account_id(jmespath.search(rule.account_path, payload)))
    return None


def values(rule: EventRule, payload: Any) -> dict[str, Any]:
    """The attributes a set_attributes rule sets: those whose expression finds a value."""
    found = {name: jmespath.search(path, payload) for name, path in (rule.attributes or {}).items()}
    return {name: value for name, value in found.items() if value is not None}


def _same(value: Any, wanted: Any) -> bool:
    return value == wanted or (
        value is not None and wanted is not None and str(value) == str(wanted)
    )


def _account_id(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | str) and str(value).strip():
        return str(value).strip()
    return None
