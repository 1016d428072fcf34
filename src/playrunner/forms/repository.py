"""Queries for forms and their fields."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from playrunner.models import Form
from playrunner.pagination import page_of


def get(session: Session, tenant_id: str, form_id: uuid.UUID) -> Form | None:
    return session.scalars(
        select(Form)
        .where(Form.tenant_id == tenant_id, Form.id == form_id)
        .options(selectinload(Form.fields))
    ).first()


def with_fields_by_pk(session: Session, form_pks: set[uuid.UUID]) -> dict[uuid.UUID, Form]:
    if not form_pks:
        return {}
    query = select(Form).where(Form.id.in_(form_pks)).options(selectinload(Form.fields))
    return {form.id: form for form in session.scalars(query)}


def lock(session: Session, tenant_id: str, form_id: uuid.UUID) -> Form | None:
    """The form with its fields, locked (on PostgreSQL) so no play or run can start using it
    until we are done."""
    return session.scalars(
        select(Form)
        .where(Form.tenant_id == tenant_id, Form.id == form_id)
        .options(selectinload(Form.fields))
        .with_for_update(of=Form)
    ).first()


def get_by_name(session: Session, tenant_id: str, name: str) -> Form | None:
    return session.scalars(
        select(Form)
        .where(Form.tenant_id == tenant_id, Form.name == name)
        .options(selectinload(Form.fields))
    ).first()


def get_by_key(session: Session, tenant_id: str, key: str) -> Form | None:
    return session.scalars(
        select(Form)
        .where(Form.tenant_id == tenant_id, Form.key == key)
        .options(selectinload(Form.fields))
    ).first()


def find_page(session: Session, tenant_id: str, limit: int, offset: int) -> tuple[list[Form], int]:
    """One page of the tenant's forms (ordered by name) and how many there are in all."""
    query = (
        select(Form)
        .where(Form.tenant_id == tenant_id)
        .options(selectinload(Form.fields))
        .order_by(Form.name, Form.id)
    )
    return page_of(session, query, limit, offset)


def add(session: Session, form: Form) -> Form:
    session.add(form)
    session.flush()
    return form


def delete(session: Session, form: Form) -> None:
    """Delete the form and its fields (they must be loaded: ``get`` or ``lock``)."""
    session.delete(form)
    session.flush()


def names_by_pk(session: Session, form_pks: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not form_pks:
        return {}
    rows = session.execute(select(Form.id, Form.name).where(Form.id.in_(form_pks)))
    return {row[0]: row[1] for row in rows}
