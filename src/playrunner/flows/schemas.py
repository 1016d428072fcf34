"""Flows as Totango's activity-types API shows them: ``{"id": key, "name": name}``."""

from __future__ import annotations

from pydantic import BaseModel, Field

from playrunner.models import Flow
from playrunner.validation import Name, StrictModel


class FlowCreate(StrictModel):
    id: str = Field(
        min_length=1,
        max_length=100,
        description="Lowercase letters, digits, '-' or '_'; tasks name the flow by it",
        examples=["renewal"],
    )
    name: Name = Field(examples=["Renewal"])


class FlowUpdate(StrictModel):
    name: Name = Field(examples=["Renewals"])


class FlowRead(BaseModel):
    id: str = Field(description="The flow's key, as tasks' activity_type_id", examples=["renewal"])
    name: str = Field(examples=["Renewal"])

    @classmethod
    def of(cls, flow: Flow) -> FlowRead:
        return cls(id=flow.key, name=flow.name)
