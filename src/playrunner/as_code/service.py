"""Applying a configuration file, and writing the current configuration as one.

``apply`` creates or updates what the file declares (account roles by name, flows by id,
forms and plays by key, or by id for ones made elsewhere), in the caller's unit of work, so
the whole file is applied or none of it. What exists but is not declared is left alone.
``export`` writes everything in the same form, so exporting and applying changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from playrunner.accounts import service as accounts_service
from playrunner.as_code.schemas import (
    Configuration,
    FlowDeclaration,
    FormDeclaration,
    PlayDeclaration,
)
from playrunner.as_code.yaml_io import YamlDocument
from playrunner.errors import InvalidRequest, NotFound, PlayrunnerError
from playrunner.flows import service as flows_service
from playrunner.forms import service as forms_service
from playrunner.forms.schemas import FormSpec
from playrunner.models import Form, SuccessPlay
from playrunner.pagination import every_page
from playrunner.plays import service as plays_service
from playrunner.plays.schemas import as_spec
from playrunner.validation import errors_from

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


@dataclass(frozen=True)
class Change:
    kind: str  # "account role", "flow", "form", "play"
    name: str
    action: str  # "create", "update" or "unchanged"

    def __str__(self) -> str:
        sign = {"create": "+", "update": "~", "unchanged": "="}[self.action]
        return f"{sign} {self.action} {self.kind} {self.name}"


def parse(document: YamlDocument) -> Configuration:
    """The file as a Configuration, or every problem in it, each with its line."""
    try:
        return Configuration.model_validate(document.data)
    except ValidationError as exc:
        problems = errors_from(exc)
        lines = [
            f"{document.source}:{document.line_of(_path(p['field']))}: {p['field']}: {p['message']}"
            for p in problems
        ]
        raise InvalidRequest("\n".join(lines), field="file", errors=problems) from None


def _path(field: str) -> tuple[int | str, ...]:
    """``plays[0].actions[1].flow`` -> ``("plays", 0, "actions", 1, "flow")``."""
    return tuple(
        int(index) if index else name for name, index in _STEP.findall(field) if name or index
    )


@contextmanager
def _at(document: YamlDocument, where: tuple[int | str, ...]) -> Iterator[None]:
    """Errors raised while applying one declaration point at it (or into it) in the file."""
    try:
        yield
    except PlayrunnerError as exc:
        inner = _path(exc.field) if exc.field and exc.field not in ("body", "key", "name") else ()
        raise document.error((*where, *inner), exc.message) from None


def apply(session: Session, tenant_id: str, document: YamlDocument) -> list[Change]:
    config = parse(document)
    changes: list[Change] = []
    existing_roles = {role.name for role in accounts_service.list_roles(session, tenant_id)}
    for index, role in enumerate(config.account_roles):
        with _at(document, ("account_roles", index)):
            if role in existing_roles:
                changes.append(Change("account role", role, "unchanged"))
            else:
                accounts_service.add_role(session, tenant_id, role)
                changes.append(Change("account role", role, "create"))
    for index, flow in enumerate(config.flows):
        with _at(document, ("flows", index)):
            changes.append(_apply_flow(session, tenant_id, flow))
    for index, form in enumerate(config.forms):
        with _at(document, ("forms", index)):
            changes.append(_apply_form(session, tenant_id, form))
    for index, play in enumerate(config.plays):
        with _at(document, ("plays", index)):
            changes.append(_apply_play(session, tenant_id, play))
    return changes


def _apply_flow(session: Session, tenant_id: str, flow: FlowDeclaration) -> Change:
    existing = flows_service.find_flow(session, tenant_id, flow.id)
    if existing is None:
        flows_service.create_flow(session, tenant_id, flow.id, flow.name)
        return Change("flow", flow.id, "create")
    if existing.name == flow.name:
        return Change("flow", flow.id, "unchanged")
    flows_service.rename_flow(session, tenant_id, flow.id, flow.name)
    return Change("flow", flow.id, "update")


def _apply_form(session: Session, tenant_id: str, form: FormDeclaration) -> Change:
    label = form.key or str(form.id)
    spec = FormSpec.model_validate(form.model_dump(include=set(FormSpec.model_fields)))
    existing = _existing_form(session, tenant_id, form)
    if existing is None:
        forms_service.create_form(session, tenant_id, spec, key=form.key)
        return Change("form", label, "create")
    if existing.key == form.key and forms_service.form_spec(existing) == spec:
        return Change("form", label, "unchanged")
    forms_service.update_form(session, tenant_id, existing.id, spec, key=form.key)
    return Change("form", label, "update")


def _apply_play(session: Session, tenant_id: str, play: PlayDeclaration) -> Change:
    label = play.key or str(play.id)
    spec = as_spec(play)
    existing = _existing_play(session, tenant_id, play)
    if existing is None:
        plays_service.create_play(session, tenant_id, spec, play_id=play.id, key=play.key)
        return Change("play", label, "create")
    current = plays_service.read_plays(session, [existing])[0]
    if current.key == play.key and as_spec(current) == spec:
        return Change("play", label, "unchanged")
    plays_service.replace_play(session, tenant_id, existing.id, spec, key=play.key)
    return Change("play", label, "update")


def _existing_form(session: Session, tenant_id: str, form: FormDeclaration) -> Form | None:
    """The form a declaration means: by id when it gives one, else by key."""
    if form.id is not None:
        try:
            return forms_service.get_form(session, tenant_id, form.id)
        except NotFound:
            return None
    return forms_service.find_form_by_key(session, tenant_id, form.key or "")


def _existing_play(session: Session, tenant_id: str, play: PlayDeclaration) -> SuccessPlay | None:
    """The play a declaration means: by id when it gives one (a new play keeps that id, so
    an exported file recreates the same ids elsewhere), else by key."""
    if play.id is not None:
        try:
            return plays_service.get_play(session, tenant_id, play.id)
        except NotFound:
            return None
    return plays_service.find_play_by_key(session, tenant_id, play.key or "")


def export(session: Session, tenant_id: str) -> dict[str, Any]:
    """The whole configuration of the tenant, as a file ``apply`` takes."""
    forms = []
    every_form = every_page(
        lambda limit, offset: forms_service.page_forms(
            session, tenant_id, limit=limit, offset=offset
        )
    )
    for form in every_form:
        identity = {"key": form.key} if form.key else {"id": str(form.id)}
        forms.append({**identity, **forms_service.form_spec(form).model_dump(mode="json")})
    plays = []
    every_play = every_page(
        lambda limit, offset: plays_service.page_plays(
            session, tenant_id, limit=limit, offset=offset
        )
    )
    for play in every_play:
        identity = {"key": play.key} if play.key else {"id": str(play.id)}
        plays.append({**identity, **as_spec(play).model_dump(mode="json")})
    return {
        "version": 1,
        "account_roles": [role.name for role in accounts_service.list_roles(session, tenant_id)],
        "flows": [
            {"id": flow.key, "name": flow.name}
            for flow in flows_service.list_flows(session, tenant_id)
        ],
        "forms": forms,
        "plays": plays,
    }
