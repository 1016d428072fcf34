"""Forms: defining them, and checking answers against their fields' types."""

from __future__ import annotations

import math
import uuid
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from playrunner.errors import Conflict, InvalidRequest, NotFound
from playrunner.form_requests import usage as form_requests_usage
from playrunner.forms import repository
from playrunner.forms.schemas import FormFieldRead, FormFieldSpec, FormSpec
from playrunner.models import FieldType, Form, FormField
from playrunner.plays import usage as plays_usage

TEXT_MAX_LENGTH = 512


def create_form(
    session: Session, tenant_id: str, spec: FormSpec, *, key: str | None = None
) -> Form:
    """Define a form. Its name, and its key if it has one, are unique in the service."""
    name = _unique_name_and_key(session, tenant_id, spec, key, form=None)
    form = Form(tenant_id=tenant_id, key=key, name=name, fields=_fields(spec))
    return repository.add(session, form)


def update_form(
    session: Session, tenant_id: str, form_id: uuid.UUID, spec: FormSpec, *, key: str | None
) -> Form:
    """Replace a form's name, key and fields, checked as when it was created. Open requests
    for it are answered against the new fields. The form is locked first, so concurrent
    changes of it (and its deletion) take turns instead of colliding on its fields."""
    form = _locked(session, tenant_id, form_id)
    form.name = _unique_name_and_key(session, tenant_id, spec, key, form=form)
    form.key = key
    # Old fields go before the new ones arrive: a new field may reuse an old one's attribute.
    form.fields.clear()
    session.flush()
    form.fields.extend(_fields(spec))
    session.flush()
    return form


def page_forms(
    session: Session, tenant_id: str, *, limit: int, offset: int
) -> tuple[list[Form], int]:
    """A page of the service's forms with their fields, by name, and how many there are."""
    return repository.find_page(session, tenant_id, limit, offset)


def delete_form(session: Session, tenant_id: str, form_id: uuid.UUID) -> None:
    """Delete a form. Refused while a SuccessPlay requests it or any form request (open or
    answered) was made from it, so no request loses its questions."""
    form = _locked(session, tenant_id, form_id)
    plays = plays_usage.plays_using_form(session, form.id)
    if plays:
        raise Conflict(
            f"Form {form.name!r} is used by SuccessPlay {', '.join(repr(p) for p in plays)};"
            " change or delete those plays first",
            field="form",
        )
    requests = form_requests_usage.count_of_form(session, form.id)
    if requests:
        raise Conflict(
            f"Form {form.name!r} has {requests} form request{'s' if requests != 1 else ''}"
            " made from it and cannot be deleted",
            field="form",
        )
    plays_usage.release_form(session, form.id)
    repository.delete(session, form)


def _unique_name_and_key(
    session: Session, tenant_id: str, spec: FormSpec, key: str | None, *, form: Form | None
) -> str:
    """The form's name, stripped, once it and the key are known to be free."""
    name = spec.name.strip()
    if not name:
        raise InvalidRequest("Form name must not be empty", field="name")
    same_name = repository.get_by_name(session, tenant_id, name)
    if same_name is not None and same_name is not form:
        raise Conflict(f"Form {name!r} already exists", field="name")
    if key is not None:
        same_key = repository.get_by_key(session, tenant_id, key)
        if same_key is not None and same_key is not form:
            raise Conflict(f"A form with key {key!r} already exists", field="key")
    return name


def _fields(spec: FormSpec) -> list[FormField]:
    return [
        FormField(
            position=position,
            attribute=field.attribute,
            label=field.label,
            type=field.type,
            options=list(field.options),
            required=field.required,
        )
        for position, field in enumerate(spec.fields)
    ]


def _locked(session: Session, tenant_id: str, form_id: uuid.UUID) -> Form:
    form = repository.lock(session, tenant_id, form_id)
    if form is None:
        raise NotFound(f"Form {form_id} not found", field="form")
    return form


def get_form(session: Session, tenant_id: str, form_id: uuid.UUID) -> Form:
    form = repository.get(session, tenant_id, form_id)
    if form is None:
        raise NotFound(f"Form {form_id} not found", field="form")
    return form


def find_form_by_name(session: Session, tenant_id: str, name: str) -> Form | None:
    return repository.get_by_name(session, tenant_id, name)


def names_by_pk(session: Session, form_pks: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    return repository.names_by_pk(session, form_pks)


def with_fields_by_pk(session: Session, form_pks: set[uuid.UUID]) -> dict[uuid.UUID, Form]:
    """Forms by primary key, their fields loaded."""
    return repository.with_fields_by_pk(session, form_pks)


def find_form_by_key(session: Session, tenant_id: str, key: str) -> Form | None:
    return repository.get_by_key(session, tenant_id, key)


def form_spec(form: Form) -> FormSpec:
    """A stored form as the definition it was made from (fields loaded)."""
    return FormSpec(
        name=form.name,
        fields=[
            FormFieldSpec.model_validate(FormFieldRead.model_validate(field).model_dump())
            for field in form.fields
        ],
    )


def get_form_by_name(session: Session, tenant_id: str, name: str) -> Form:
    form = repository.get_by_name(session, tenant_id, name)
    if form is None:
        raise NotFound(f"Form {name!r} not found", field="form")
    return form


def validate_answers(form: Form, answers: Any) -> dict[str, Any]:
    """Check answers against the form; return them normalised, keyed by attribute.

    Every problem is reported at once, each naming its field.
    """
    if not isinstance(answers, dict):
        raise InvalidRequest("Answers must be an object keyed by attribute", field="answers")
    fields = {field.attribute: field for field in form.fields}
    problems: list[dict[str, str]] = []
    clean: dict[str, Any] = {}
    for key in answers:
        if key not in fields:
            problems.append({"field": key, "message": f"form {form.name!r} has no field {key!r}"})
    for attribute, field in fields.items():
        value = answers.get(attribute)
        if value is None:
            if field.required:
                problems.append({"field": attribute, "message": "is required"})
            continue
        try:
            clean[attribute] = _check_value(field, value)
        except ValueError as exc:
            problems.append({"field": attribute, "message": str(exc)})
    if problems:
        summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        raise InvalidRequest(f"Invalid answers: {summary}", field="answers", errors=problems)
    if not clean:
        raise InvalidRequest("Answers must fill in at least one field", field="answers")
    return clean


def _check_value(field: FormField, value: Any) -> Any:
    match field.type:
        case FieldType.TEXT:
            if not isinstance(value, str):
                raise ValueError("must be text")
            if len(value) > TEXT_MAX_LENGTH:
                raise ValueError(f"must be at most {TEXT_MAX_LENGTH} characters")
            return value
        case FieldType.NUMBER:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError("must be a number")
            if not math.isfinite(value):
                raise ValueError("must be a finite number")
            return value
        case FieldType.DATE:
            if not isinstance(value, str):
                raise ValueError("must be an ISO 8601 date (YYYY-MM-DD)")
            try:
                return date.fromisoformat(value).isoformat()
            except ValueError:
                raise ValueError("must be an ISO 8601 date (YYYY-MM-DD)") from None
        case FieldType.LIST:
            if value not in field.options:
                raise ValueError(f"must be one of {', '.join(field.options)}")
            return value
        case FieldType.MULTI_SELECT:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError("must be a list of options")
            unknown = [v for v in value if v not in field.options]
            if unknown:
                raise ValueError(
                    f"{', '.join(unknown)} not among the options {', '.join(field.options)}"
                )
            if len(set(value)) != len(value):
                raise ValueError("lists an option twice")
            return list(value)
        case FieldType.BOOLEAN:
            if not isinstance(value, bool):
                raise ValueError("must be true or false")
            return value
    raise ValueError(f"has unknown type {field.type}")  # pragma: no cover - enum is closed
