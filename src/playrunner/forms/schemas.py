"""What a form is made of, as accepted from callers."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from playrunner.models import FieldType

ATTRIBUTE_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,99}$"


class FormFieldSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    attribute: str = Field(pattern=ATTRIBUTE_PATTERN, description="Account attribute it updates")
    label: str = Field(min_length=1, max_length=200)
    type: FieldType
    options: list[str] = Field(default_factory=list)
    required: bool = False

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


class FormSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    fields: list[FormFieldSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _attributes_unique(self) -> FormSpec:
        attributes = [field.attribute for field in self.fields]
        if len(set(attributes)) != len(attributes):
            raise ValueError("two fields update the same attribute")
        return self
