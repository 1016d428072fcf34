"""What a form is made of, as accepted from callers and as the API shows it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from playrunner.models import FieldType
from playrunner.validation import Flag, Name, StrictModel

ATTRIBUTE_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,99}$"
# Stable names for forms declared as code; the same shape as play keys.
KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"
MAX_FIELDS = 200
MAX_OPTIONS = 500

Option = Annotated[str, Field(min_length=1, max_length=200)]


class FormFieldSpec(StrictModel):
    attribute: str = Field(pattern=ATTRIBUTE_PATTERN, description="Account attribute it updates")
    label: str = Field(min_length=1, max_length=200)
    type: FieldType
    options: list[Option] = Field(default_factory=list, max_length=MAX_OPTIONS)
    required: Flag = False

    @model_validator(mode="after")
    def _options_fit_type(self) -> FormFieldSpec:
        if self.type in (FieldType.LIST, FieldType.MULTI_SELECT):
            if not self.options:
                raise ValueError(f"field {self.attribute!r} of type {self.type} needs options")
            if len(set(self.options)) != len(self.options):
                raise ValueError(f"field {self.attribute!r} lists an option twice")
        elif self.options:
            raise ValueError(f"field {self.attribute!r} of type {self.type} takes no options")
        return self


class FormSpec(StrictModel):
    name: Name
    fields: list[FormFieldSpec] = Field(min_length=1, max_length=MAX_FIELDS)

    @field_validator("fields")
    @classmethod
    def _attributes_unique(cls, fields: list[FormFieldSpec]) -> list[FormFieldSpec]:
        seen: set[str] = set()
        for field in fields:
            if field.attribute in seen:
                raise ValueError(f"two fields update the same attribute {field.attribute!r}")
            seen.add(field.attribute)
        return fields


class FormWrite(FormSpec):
    """A whole form: POST creates it, PUT replaces its name, key and fields."""

    key: str | None = Field(
        default=None,
        pattern=KEY_PATTERN,
        description="A stable id you choose (for plays as code); unique in your service",
        examples=["sentiment-check"],
    )


class FormFieldRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    attribute: str
    label: str
    type: FieldType
    options: list[str]
    required: bool


class FormRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    key: str | None
    name: str
    fields: list[FormFieldRead]
    created_at: datetime
