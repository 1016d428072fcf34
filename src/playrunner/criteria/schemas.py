"""Event criteria as a play declares them: conditions on account attributes, all or any of
which must hold, and whether the play runs when an account enters them or exits them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool, StrictFloat, StrictInt, StrictStr, model_validator

from playrunner.validation import StrictModel

Scalar = StrictStr | StrictInt | StrictFloat | StrictBool
Operator = Literal[
    "equals", "in", "greater_than", "less_than", "is_set", "changed_to", "within_days"
]


class Condition(StrictModel):
    """One condition on an account attribute:

    - ``equals`` / ``changed_to``: the value (``changed_to`` holds only on the change that
      set it, from another value);
    - ``in``: one of a list of values;
    - ``greater_than`` / ``less_than``: a number;
    - ``is_set``: the attribute has a value (no ``value``);
    - ``within_days``: the attribute is a date (``YYYY-MM-DD``, or a time) between today and
      ``value`` days from today (a negative ``value``: that many days ago up to today).

    Values are compared as text, so ``"5"`` from a CSV file equals ``5`` from the API."""

    attribute: Annotated[str, Field(min_length=1, max_length=100, examples=["sentiment"])]
    op: Operator
    value: Scalar | list[Scalar] | None = None

    @model_validator(mode="after")
    def _value_fits(self) -> Condition:
        op, value = self.op, self.value
        if op == "is_set":
            if value is not None:
                raise ValueError("is_set takes no value")
        elif op == "in":
            if not isinstance(value, list) or not value or len(value) > 100:
                raise ValueError("in takes a list of 1 to 100 values")
        elif op in ("greater_than", "less_than"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{op} takes a number")
        elif op == "within_days":
            if isinstance(value, bool) or not isinstance(value, int) or abs(value) > 3650:
                raise ValueError("within_days takes a whole number of days (at most 3650)")
        elif value is None or isinstance(value, list):
            raise ValueError(f"{op} takes one value")
        return self


class EventCriteria(StrictModel):
    """When an event play runs on an account: as it enters these criteria (``run_on:
    enter``) or exits them (``exit``), never twice for one entry."""

    match: Literal["all", "any"] = "all"
    run_on: Literal["enter", "exit"] = "enter"
    conditions: list[Condition] = Field(min_length=1, max_length=20)

    @property
    def has_dates(self) -> bool:
        """Whether the daily check concerns it (a date condition changes with the day)."""
        return any(c.op == "within_days" for c in self.conditions)


EXAMPLE: dict[str, Any] = {
    "match": "all",
    "run_on": "enter",
    "conditions": [
        {"attribute": "sentiment", "op": "in", "value": ["Poor", "At risk"]},
        {"attribute": "renewal_date", "op": "within_days", "value": 60},
    ],
}
