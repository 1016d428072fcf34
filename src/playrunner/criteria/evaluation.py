"""Whether an account meets a play's criteria: a pure function of its attributes, what just
changed, and today's date."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from playrunner.criteria.schemas import Condition, EventCriteria

# attribute -> (before, after), for the change being checked; None for the daily check.
Changes = Mapping[str, Sequence[Any]] | None


def meets(
    criteria: EventCriteria, attributes: Mapping[str, Any], changes: Changes, today: date
) -> bool:
    results = (holds(c, attributes, changes, today) for c in criteria.conditions)
    return all(results) if criteria.match == "all" else any(results)


def holds(
    condition: Condition, attributes: Mapping[str, Any], changes: Changes, today: date
) -> bool:
    value = attributes.get(condition.attribute)
    wanted = condition.value
    match condition.op:
        case "equals":
            return _same(value, wanted)
        case "in":
            return isinstance(wanted, list) and any(_same(value, w) for w in wanted)
        case "greater_than":
            number = _number(value)
            return number is not None and number > float(wanted)  # type: ignore[arg-type]
        case "less_than":
            number = _number(value)
            return number is not None and number < float(wanted)  # type: ignore[arg-type]
        case "is_set":
            return value is not None and value != ""
        case "changed_to":
            change = (changes or {}).get(condition.attribute)
            return change is not None and _same(change[1], wanted) and not _same(change[0], wanted)
        case "within_days":
            day = _date(value)
            if day is None or not isinstance(wanted, int):
                return False
            ahead = (day - today).days
            return 0 <= ahead <= wanted if wanted >= 0 else wanted <= ahead <= 0
    return False


def _same(value: Any, wanted: Any) -> bool:
    if value is None or wanted is None:
        return value is wanted
    return _text(value) == _text(wanted)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        try:
            return datetime.fromisoformat(value).date()
        except ValueError:
            return None


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """What changed from ``before`` to ``after``, by attribute: ``[before, after]``."""
    return {
        key: [before.get(key), after.get(key)]
        for key in before.keys() | after.keys()
        if before.get(key) != after.get(key)
    }
