"""Turning Pydantic's validation errors into Playrunner's InvalidRequest, field by field."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    field_validator,
)

from playrunner.errors import InvalidRequest

M = TypeVar("M", bound=BaseModel)


def without_nul(value: str) -> str:
    """PostgreSQL cannot store NUL characters in text; refuse them as bad input."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


NoNul = AfterValidator(without_nul)
# Text that filters a listing (an email, an account id): anything but NUL.
FilterText = Annotated[str, NoNul]


def canonical_email(email: str) -> str:
    """An email as it is stored and compared: trimmed, lower-case. (Whether it is an email
    at all is ``users.service.normalise_email``'s question.)"""
    return email.strip().lower()


MAX_EMAIL_LENGTH = 320  # RFC 3696: 64 for the local part, @, 255 for the domain
MAX_NAME_LENGTH = 200

EmailAddress = Annotated[
    str,
    Field(min_length=3, max_length=MAX_EMAIL_LENGTH, examples=["jane@example.com"]),
    AfterValidator(canonical_email),
]
"""An email in a request body: stored and compared as ``canonical_email`` makes it."""

Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_LENGTH)]
"""What people call a user, a token, an application, a flow, a form or a play."""


# Request bodies hold JSON's own types: Pydantic alone would also take 0 and 1 for booleans
# and 1.0 for integers, which the OpenAPI document (boolean, integer) does not allow.
Flag = Annotated[bool, Field(strict=True)]
"""A JSON true or false."""
Count = Annotated[int, Field(strict=True)]
"""A JSON integer (1.0 is not one)."""


def _json_integer(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be a whole number")
    return value


IntegerOnly = BeforeValidator(_json_integer)
"""For integer choices (``Literal[1, 2, 3]``), which Pydantic would match with true or 1.0."""

ISO_DATETIME_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?$"
_ISO_DATETIME = re.compile(ISO_DATETIME_PATTERN)


def _iso_datetime(value: Any) -> Any:
    """Only ISO 8601 text: Pydantic alone would also take numbers as Unix timestamps."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATETIME.match(value):
        raise ValueError("must be a time as YYYY-MM-DDTHH:MM[:SS], with Z or +HH:MM or no zone")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a time of the calendar") from None


Moment = Annotated[
    datetime,
    BeforeValidator(_iso_datetime),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": ISO_DATETIME_PATTERN,
            "description": "ISO 8601; a time without a zone is UTC",
            "examples": ["2026-03-31T09:00:00Z"],
        }
    ),
]
"""A time in a query: ISO 8601 text, UTC when it names no zone (so the document cannot call
it an RFC 3339 date-time, which always has one)."""


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_contains_nul(item) for item in value)
    return False


class StrictModel(BaseModel):
    """Request bodies: unknown fields are refused, not ignored, and no text may hold a NUL
    character (which PostgreSQL cannot store)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        if _contains_nul(value):
            raise ValueError("must not contain NUL characters")
        return value


def field_path(location: tuple[int | str, ...]) -> str:
    """``("actions", 0, "title")`` -> ``actions[0].title``."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def errors_from(exc: ValidationError) -> list[dict[str, str]]:
    return problems_from(exc.errors(include_url=False))


def problems_from(errors: Sequence[Any]) -> list[dict[str, str]]:
    """Pydantic's (or FastAPI's) errors as ``{"field", "message"}``, one per failed rule."""
    problems = []
    for error in errors:
        # Drop the union-member tag pydantic adds (e.g. "create_task") to keep paths readable.
        location = tuple(
            part
            for part in error["loc"]
            if not (isinstance(part, str) and part in ("create_task", "request_information"))
        )
        message = str(error["msg"]).removeprefix("Value error, ")
        problems.append({"field": field_path(location) or "body", "message": message})
    return problems


def parse_model(model: type[M], data: Any, *, what: str) -> M:
    """Validate ``data`` as ``model`` or raise InvalidRequest naming every failing field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = errors_from(exc)
        summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        raise InvalidRequest(
            f"Invalid {what}: {summary}", field=problems[0]["field"], errors=problems
        ) from None
