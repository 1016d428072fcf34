"""Event sources, their rules, and the events received, as the API shows them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import jmespath
from jmespath.exceptions import JMESPathError
from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    model_validator,
)

from playrunner.automations.schemas import DryRunResult
from playrunner.models import InboundEventStatus, RuleAction
from playrunner.validation import Flag, Name, StrictModel

Scalar = StrictStr | StrictInt | StrictFloat | StrictBool | None
# An event as a system might post it (the seed's use case: a champion changed jobs).
EVENT_EXAMPLE: dict[str, Any] = {
    "type": "job_change",
    "data": {"person": {"name": "Ada Lovelace", "title": "CTO"}, "company": {"id": "acme"}},
}


def _compiles(expression: str) -> str:
    """A JMESPath expression (https://jmespath.org), refused with the parser's reason."""
    try:
        jmespath.compile(expression)
    except JMESPathError as exc:
        raise ValueError(f"is not a JMESPath expression: {str(exc).splitlines()[0]}") from None
    return expression


Path = Annotated[
    str,
    Field(min_length=1, max_length=500, examples=["data.company.id"]),
    AfterValidator(_compiles),
]


class SourceCreate(StrictModel):
    name: Name = Field(examples=["LinkedIn Sales Navigator"])
    description: str = Field(default="", max_length=2000)


class SourceRead(BaseModel):
    id: uuid.UUID
    name: str
    description: str
    # Where the system posts its events (relative to the server's address).
    events_url: str
    created_at: datetime


class SourceCreated(SourceRead):
    """A new source (or one with new credentials), shown only this once: ``secret`` signs its
    events (Standard Webhooks); a system that cannot sign sends ``token`` instead
    (``Authorization: Bearer <token>``)."""

    secret: str
    token: str


class RuleWrite(StrictModel):
    """What a source's events do. The first enabled rule (by position) whose ``match`` holds
    applies: each key is a JMESPath expression on the event, each value what it must give.
    ``account_path`` finds the account's id (or an external id, e.g. a Salesforce id) in the
    event. ``set_attributes`` sets each attribute to what its expression gives (attributes
    that find nothing are left alone); ``run_play`` runs a manual play on the account."""

    name: Name = Field(examples=["Champion changed jobs"])
    match: dict[Annotated[str, AfterValidator(_compiles)], Scalar] = Field(
        default_factory=dict, max_length=20, examples=[{"type": "job_change"}]
    )
    account_path: Path
    action: RuleAction
    attributes: dict[Annotated[str, Field(min_length=1, max_length=100)], Path] | None = Field(
        default=None, max_length=50, examples=[{"champion_title": "data.person.title"}]
    )
    play: str | None = Field(
        default=None, max_length=200, description="A manual play's id or key (run_play)"
    )
    enabled: Flag = True

    @model_validator(mode="after")
    def _action_has_what_it_needs(self) -> RuleWrite:
        if self.action is RuleAction.SET_ATTRIBUTES and not self.attributes:
            raise ValueError("set_attributes needs attributes: attribute -> JMESPath")
        if self.action is RuleAction.RUN_PLAY and not self.play:
            raise ValueError("run_play needs play: the id or key of a manual play")
        return self


class RuleRead(BaseModel):
    id: uuid.UUID
    name: str
    position: int
    match: dict[str, Any]
    account_path: str
    action: RuleAction
    attributes: dict[str, str] | None
    play_id: uuid.UUID | None
    play: str | None  # the play's name
    enabled: bool


class RuleTest(StrictModel):
    """A sample event to try the source's rules on; nothing is written."""

    payload: dict[str, Any] = Field(examples=[EVENT_EXAMPLE])


class RuleTestResult(BaseModel):
    """What the source's rules would do with the event: the rule that matches (none:
    ``outcome`` says why nothing would happen), the account it names, and either the
    attributes it would set or the play's dry run."""

    rule: RuleRead | None
    account_id: str | None
    outcome: str
    attributes: dict[str, Any] | None = None
    dry_run: DryRunResult | None = None


class InboundEventRead(BaseModel):
    id: uuid.UUID
    event_id: str
    received_at: datetime
    status: InboundEventStatus
    outcome: str | None
    rule_id: uuid.UUID | None
    account_id: str | None
    run_id: uuid.UUID | None


class EventAccepted(BaseModel):
    """``accepted`` (202): the event is stored and will be processed; ``duplicate`` (200):
    an event with this id was received before, and this one is dropped."""

    id: str
    status: Literal["accepted", "duplicate"]
