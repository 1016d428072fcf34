"""A SuccessPlay as callers describe it: triggers, options and ordered actions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from playrunner.criteria.schemas import EXAMPLE as CRITERIA_EXAMPLE
from playrunner.criteria.schemas import EventCriteria
from playrunner.forms.schemas import KEY_PATTERN
from playrunner.models import ActionType, DuplicatePolicy
from playrunner.validation import Count, EmailAddress, Flag, IntegerOnly, Name, StrictModel

SUPPORTED_ACTIONS = tuple(action.value for action in ActionType)
# The order triggers are shown in, whatever order they were given in.
TRIGGERS = ("manual", "event")
Trigger = Literal["manual", "event"]


class _Strict(BaseModel):
    # Members of a discriminated union cannot have StrictModel's "before" validator on every
    # field; PlaySpec's refuses NUL characters in the actions as a whole.
    model_config = ConfigDict(extra="forbid")


class RoleAssignee(_Strict):
    """Whoever holds this account role on the account the play acts on."""

    kind: Literal["account_role"] = "account_role"
    role: str = Field(min_length=1, max_length=100, examples=["Success Manager"])


class UserAssignee(_Strict):
    """One named user of the service."""

    kind: Literal["user"] = "user"
    # Stored as users' emails are, so a play reads back exactly as it will be compared.
    email: EmailAddress


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
    priority: Annotated[Literal[1, 2, 3], IntegerOnly] = Field(
        default=2, description="1 high, 2 normal, 3 low"
    )
    due_in_days: Count = Field(default=0, ge=0, le=3650)
    assignee: Assignee = Field(default_factory=lambda: RoleAssignee(role="Success Manager"))
    touchpoint_required: Flag = False


class RequestInformationAction(_Strict):
    type: Literal["request_information"] = "request_information"
    form: str = Field(min_length=1, max_length=200, description="Name of the form to fill in")
    due_in_days: Count = Field(default=0, ge=0, le=3650)
    assignee: Assignee = Field(default_factory=lambda: RoleAssignee(role="Success Manager"))
    instructions: str = Field(default="", max_length=20000)


Action = Annotated[CreateTaskAction | RequestInformationAction, Field(discriminator="type")]


class PlaySpec(StrictModel):
    name: Name
    description: str = Field(min_length=1, max_length=20000)
    objective: str | None = Field(default=None, max_length=20000)
    triggers: list[Trigger] = Field(
        min_length=1, max_length=2, description="Shown manual first, whatever the order given"
    )
    active: Flag = True
    apply_to_parent: Flag = Field(
        default=False, description="Act on the account's immediate parent instead"
    )
    duplicate_policy: DuplicatePolicy = Field(
        default=DuplicatePolicy.ALLOW,
        description=(
            "allow: every trigger runs (Totango's behaviour). skip_if_open: a trigger on an"
            " account that still has open tasks or form requests from an earlier run of this"
            " play is recorded as skipped and creates nothing."
        ),
    )
    event_criteria: EventCriteria | None = Field(
        default=None,
        description=(
            "An event play's criteria: it runs on an account when the account enters them"
            " (or exits, as run_on says), checked whenever the account's attributes change"
            " and daily for date conditions. Accounts already inside when the criteria are"
            " saved have not entered them."
        ),
        examples=[CRITERIA_EXAMPLE],
    )
    actions: list[Action] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _criteria_need_the_event_trigger(self) -> PlaySpec:
        if self.event_criteria is not None and "event" not in self.triggers:
            raise ValueError("event_criteria needs the event trigger")
        return self

    @field_validator("triggers")
    @classmethod
    def _triggers_unique(cls, triggers: list[Trigger]) -> list[Trigger]:
        if len(set(triggers)) != len(triggers):
            raise ValueError("a trigger is listed twice")
        # One order, so a play reads back exactly as it will be compared.
        return sorted(triggers, key=TRIGGERS.index)

    @field_validator("actions", mode="before")
    @classmethod
    def _only_supported_actions(cls, actions: Any, info: ValidationInfo) -> Any:
        """Refuse other action kinds with Totango's rule, before the union reports noise."""
        if not isinstance(actions, list):
            return actions
        manual = "manual" in info.data.get("triggers", ())
        for position, action in enumerate(actions, start=1):
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
        return actions

    @property
    def manual(self) -> bool:
        return "manual" in self.triggers


def as_spec(play: PlaySpec) -> PlaySpec:
    """Only the definition of a play (a ``PlayWrite`` or ``PlayRead`` less its other fields)."""
    return PlaySpec.model_validate({name: getattr(play, name) for name in PlaySpec.model_fields})


class PlayWrite(PlaySpec):
    """A whole play: POST creates it, PUT replaces it (a key left out is removed). Ids are
    made by the server."""

    key: str | None = Field(
        default=None,
        pattern=KEY_PATTERN,
        description="A stable name you choose (for plays as code); unique in your service",
        examples=["salesforce-follow-up"],
    )


class _Identity(BaseModel):
    id: uuid.UUID
    key: str | None


class PlayRead(PlaySpec, _Identity):
    """A play as it was written: its actions name flows, forms, roles and users, as in
    ``PlaySpec``, so ``as_spec(read)`` saves back to the same play."""

    # Every field is in every answer, defaults included: the schema says so, so clients
    # generated from it need not treat them as optional.
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    created_at: datetime
    updated_at: datetime


PLAY_EXAMPLE: dict[str, Any] = {
    "key": "salesforce-follow-up",
    "name": "Salesforce follow-up",
    "description": "A salesperson asked, from Salesforce, for a follow-up on this account.",
    "objective": "Reply to the customer within three days",
    "triggers": ["manual"],
    "actions": [
        {
            "type": "create_task",
            "title": "Follow up with {{ account.name }}",
            "description": "{{ runner.name }} asked for a follow-up from Salesforce.",
            "flow": "renewal",
            "priority": 1,
            "due_in_days": 3,
            "assignee": {"kind": "account_role", "role": "Success Manager"},
            "touchpoint_required": True,
        },
        {
            "type": "request_information",
            "form": "Account sentiment",
            "due_in_days": 5,
            "assignee": {"kind": "account_role", "role": "Success Manager"},
            "instructions": "Please update your sentiment on {{ account.name }}.",
        },
    ],
}
