"""Turning Pydantic's validation errors into Playrunner's InvalidRequest, field by field."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from playrunner.errors import InvalidRequest

M = TypeVar("M", bound=BaseModel)


class StrictModel(BaseModel):
    """Request bodies: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


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
    problems = []
    for error in exc.errors(include_url=False):
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
