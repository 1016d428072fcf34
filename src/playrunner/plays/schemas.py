"""A SuccessPlay as callers describe it: triggers, options and ordered actions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from playrunner.models import ActionType

SUPPORTED_ACTIONS = tuple(action.value for action in ActionType)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RoleAssignee(_Strict):
    """Whoever holds this account role on the account the play acts on."""

    kind: Literal["account_role"] = "account_role"
    role: str = Field(min_length=1, max_length=100, examples=["Success Manager"])


class UserAssignee(_Strict):
    """One named user of the service."""

    kind: Literal["user"] = "user"
    email: str = Field(min_length=3, max_length=320)


class RunnerAssignee(_Strict):
    """The user who ran the play."""

    kind: Literal["runner"] = "runner"


Assignee = Annotated[RoleAssignee | UserAssignee | RunnerAssignee, Field(discriminator="kind")]


class CreateTaskAction(_Strict):
    type: Literal["create_task"] = "create_task"
    title: str = Field(
        min_length=1, max_length=2000, examples=["Follow up with {{ account.name }}"]
    )
    description: str = Field(min_length=1, max_length=20000)
    flow: str | None = Field(default=None, description="Flow (activity type) id, e.g. renewal")
    priority: Literal[1, 2, 3] = Field(default=2, description="1 high, 2 normal, 3 low")
    due_in_days: int = Field(default=0, ge=0, le=3650)
    assignee: Assignee = Field(default_factory=lambda: RoleAssignee(role="Success Manager"))
    touchpoint_required: bool = False


class RequestInformationAction(_Strict):
    type: Literal["request_information"] = "request_information"
    form: str = Field(min_length=1, max_length=200, description="Name of the form to fill in")
    due_in_days: int = Field(default=0, ge=0, le=3650)
    assignee: Assignee = Field(default_factory=lambda: RoleAssignee(role="Success Manager"))
    instructions: str = Field(default="", max_length=20000)


Action = Annotated[CreateTaskAction | RequestInformationAction, Field(discriminator="type")]


class PlaySpec(_Strict):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=20000)
    objective: str | None = Field(default=None, max_length=20000)
    triggers: list[Literal["manual", "event"]] = Field(min_length=1, max_length=2)
    active: bool = True
    apply_to_parent: bool = Field(
        default=False, description="Act on the account's immediate parent instead"
    )
    actions: list[Action] = Field(min_length=1, max_length=50)

    @model_validator(mode="before")
    @classmethod
    def _only_supported_actions(cls, data: Any) -> Any:
        """Refuse other action kinds with Totango's rule, before the union reports noise."""
        if not isinstance(data, dict) or not isinstance(data.get("actions"), list):
            return data
        triggers = data.get("triggers")
        manual = isinstance(triggers, list) and "manual" in triggers
        for position, action in enumerate(data["actions"], start=1):
            kind = action.get("type") if isinstance(action, dict) else None
            if kind is not None and kind not in SUPPORTED_ACTIONS:
                if manual:
                    raise ValueError(
                        f"a manual SuccessPlay can only create a task or request information;"
                        f" action {position} has type {kind!r}"
                    )
                raise ValueError(
                    f"action {position} has type {kind!r}; supported types are"
                    f" {', '.join(SUPPORTED_ACTIONS)}"
                )
        return data

    @model_validator(mode="after")
    def _triggers_unique(self) -> PlaySpec:
        if len(set(self.triggers)) != len(self.triggers):
            raise ValueError("a trigger is listed twice")
        return self

    @property
    def manual(self) -> bool:
        return "manual" in self.triggers
