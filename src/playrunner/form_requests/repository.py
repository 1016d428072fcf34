"""Queries for form requests."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, select, update
from sqlalchemy.orm import Session, selectinload

from playrunner.db import chunked
from playrunner.models import (
    OPEN_FORM_REQUEST_STATUSES,
    Account,
    Form,
    FormRequest,
    FormRequestStatus,
    User,
)
from playrunner.models.records import FormRequestRecord
from playrunner.pagination import DEFAULT_PAGE_SIZE, page_of_rows

IS_OPEN = FormRequest.status.in_(OPEN_FORM_REQUEST_STATUSES)

# A form request with its form, account id and assignee email (outer-joined).
_FormRequestRows = Select[FormRequest, Form, str, str]


@dataclass(frozen=True)
class FormRequestFilter:
    assignee_user_id: uuid.UUID | None = None
    run_id: uuid.UUID | None = None
    status: FormRequestStatus | None = None
    # The API's filters, by what callers know.
    account_id: str | None = None
    assignee_email: str | None = None
    limit: int = DEFAULT_PAGE_SIZE
    offset: int = 0


def get(session: Session, tenant_id: str, request_id: uuid.UUID) -> FormRequest | None:
    request = session.get(FormRequest, request_id)
    return request if request is not None and request.tenant_id == tenant_id else None


def get_for_update(session: Session, tenant_id: str, request_id: uuid.UUID) -> FormRequest | None:
    """The request, locked until the transaction ends so two submissions cannot both pass."""
    return session.scalars(
        select(FormRequest)
        .where(FormRequest.tenant_id == tenant_id, FormRequest.id == request_id)
        .with_for_update()
        # Refresh a copy already read in this transaction: the lock may have waited for
        # another submission, and its status is what counts.
        .execution_options(populate_existing=True)
    ).first()


def _matching(tenant_id: str, where: FormRequestFilter) -> _FormRequestRows:
    query = (
        select(FormRequest, Form, Account.account_id, User.email)
        .join(Form, Form.id == FormRequest.form_id)
        .join(Account, Account.id == FormRequest.account_id)
        .outerjoin(User, User.id == FormRequest.assignee_user_id)
        .where(FormRequest.tenant_id == tenant_id)
    )
    if where.assignee_user_id is not None:
        query = query.where(FormRequest.assignee_user_id == where.assignee_user_id)
    if where.run_id is not None:
        query = query.where(FormRequest.run_id == where.run_id)
    if where.status is not None:
        query = query.where(FormRequest.status == where.status)
    if where.account_id is not None:
        query = query.where(FormRequest.account_id == Account.key_of(tenant_id, where.account_id))
    if where.assignee_email is not None:
        query = query.where(User.email == where.assignee_email)
    return query


@dataclass(frozen=True, slots=True)
class FormRequestRow:
    """A form request with its form (fields loaded), account id and assignee email."""

    request: FormRequest | FormRequestRecord  # a record: just made, read without a query
    form: Form
    account_id: str
    assignee: str | None


def _rows(session: Session, query: _FormRequestRows) -> list[FormRequestRow]:
    query = query.options(selectinload(Form.fields))
    return [FormRequestRow(*row) for row in session.execute(query)]


def find_page(
    session: Session, tenant_id: str, where: FormRequestFilter
) -> tuple[list[FormRequestRow], int]:
    """A page of form requests with their form's fields, account id and assignee email,
    newest first, and how many match in all."""
    query = _matching(tenant_id, where).order_by(FormRequest.created_at.desc(), FormRequest.id)
    query = query.options(selectinload(Form.fields))
    rows, total = page_of_rows(session, query, where.limit, where.offset)
    return [FormRequestRow(*row) for row in rows], total


def read(session: Session, tenant_id: str, request_id: uuid.UUID) -> FormRequestRow | None:
    """One form request as callers see it, or None when the tenant has no such request."""
    query = _matching(tenant_id, FormRequestFilter()).where(FormRequest.id == request_id)
    found = _rows(session, query)
    return found[0] if found else None


def of_run(session: Session, tenant_id: str, run_id: uuid.UUID) -> list[FormRequestRow]:
    """Every form request a run made, oldest first."""
    query = _matching(tenant_id, FormRequestFilter(run_id=run_id)).order_by(
        FormRequest.created_at, FormRequest.id
    )
    return _rows(session, query)


def open_of_play(
    session: Session, tenant_id: str, play_id: uuid.UUID, account_pks: Sequence[uuid.UUID]
) -> list[tuple[uuid.UUID, uuid.UUID, datetime]]:
    """(account, run, created at) of each open form request that a run of this play made on
    one of these accounts."""
    found: list[tuple[uuid.UUID, uuid.UUID, datetime]] = []
    for chunk in chunked(account_pks):
        rows = session.execute(
            select(FormRequest.account_id, FormRequest.run_id, FormRequest.created_at).where(
                *_of_play(tenant_id, play_id),
                FormRequest.account_id.in_(chunk),
                FormRequest.run_id.is_not(None),
                IS_OPEN,
            )
        )
        found.extend((account, run, created) for account, run, created in rows if run is not None)
    return found


def count_open_of_play(session: Session, tenant_id: str, play_id: uuid.UUID) -> int:
    query = select(func.count()).select_from(FormRequest)
    return session.scalar(query.where(*_of_play(tenant_id, play_id), IS_OPEN)) or 0


def cancel_open_of_play(session: Session, tenant_id: str, play_id: uuid.UUID) -> None:
    session.execute(
        update(FormRequest)
        .where(*_of_play(tenant_id, play_id), IS_OPEN)
        .values(status=FormRequestStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )


def count_of_form(session: Session, form_pk: uuid.UUID) -> int:
    """Form requests made from this form, whatever their status."""
    query = select(func.count()).select_from(FormRequest)
    return session.scalar(query.where(FormRequest.form_id == form_pk)) or 0


def _of_play(tenant_id: str, play_id: uuid.UUID) -> tuple[ColumnElement[bool], ...]:
    return (FormRequest.tenant_id == tenant_id, FormRequest.play_id == play_id)
