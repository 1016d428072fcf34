"""The configuration file: account roles, flows, forms and plays, declared as code."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field, model_validator

from playrunner.forms.schemas import KEY_PATTERN, FormSpec
from playrunner.plays.schemas import PlaySpec
from playrunner.validation import Name, StrictModel


class FlowDeclaration(StrictModel):
    id: str = Field(min_length=1, max_length=100, description="The flow's id, e.g. renewal")
    name: Name


class _Keyed(StrictModel):
    """Forms and plays are matched to what exists by ``key`` (a stable name you choose), or
    by ``id`` for ones made elsewhere (``playrunner export`` writes ids for those)."""

    key: str | None = Field(default=None, pattern=KEY_PATTERN)
    id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _key_or_id(self) -> _Keyed:
        if self.key is None and self.id is None:
            raise ValueError("give a key (or the id of an existing one)")
        return self


class FormDeclaration(FormSpec, _Keyed):
    pass


class PlayDeclaration(PlaySpec, _Keyed):
    pass


class Configuration(StrictModel):
    version: Literal[1] = 1
    account_roles: list[str] = Field(default_factory=list)
    flows: list[FlowDeclaration] = Field(default_factory=list)
    forms: list[FormDeclaration] = Field(default_factory=list)
    plays: list[PlayDeclaration] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> Configuration:
        for what, names in (
            ("account role", self.account_roles),
            ("flow id", [f.id for f in self.flows]),
            ("form key", [f.key for f in self.forms if f.key]),
            ("play key", [p.key for p in self.plays if p.key]),
        ):
            seen: set[str] = set()
            for name in names:
                if name in seen:
                    raise ValueError(f"{what} {name!r} is declared twice")
                seen.add(name)
        return self
