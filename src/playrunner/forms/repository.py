"""Queries for forms and their fields."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from playrunner.models import Form


def get(session: Session, tenant_id: str, form_id: uuid.UUID) -> Form | None:
    return session.scalars(
        select(Form)
        .where(Form.tenant_id == tenant_id, Form.id == form_id)
        .options(selectinload(Form.fields))
    ).first()


def get_by_name(session: Session, tenant_id: str, name: str) -> Form | None:
    return session.scalars(
        select(Form)
        .where(Form.tenant_id == tenant_id, Form.name == name)
        .options(selectinload(Form.fields))
    ).first()


def add(session: Session, form: Form) -> Form:
    session.add(form)
    session.flush()
    return form
