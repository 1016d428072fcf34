"""Queries for form requests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from playrunner.form_requests.schemas import FormFieldRead, FormRequestRead
from playrunner.models import Account, Form, FormRequest, FormRequestStatus, User
from playrunner.pagination import DEFAULT_PAGE_SIZE


@dataclass(frozen=True)
class FormRequestFilter:
    assignee_user_id: uuid.UUID | None = None
    run_id: uuid.UUID | None = None
    status: FormRequestStatus | None = None
    limit: int = DEFAULT_PAGE_SIZE


def get(session: Session, tenant_id: str, request_id: uuid.UUID) -> FormRequest | None:
    request = session.get(FormRequest, request_id)
    return request if request is not None and request.tenant_id == tenant_id else None


def get_for_update(session: Session, tenant_id: str, request_id: uuid.UUID) -> FormRequest | None:
    """The request, locked until the transaction ends so two submissions cannot both pass."""
    return session.scalars(
        select(FormRequest)
        .where(FormRequest.tenant_id == tenant_id, FormRequest.id == request_id)
        .with_for_update()
    ).first()


def find(session: Session, tenant_id: str, where: FormRequestFilter) -> list[FormRequestRead]:
    """Form requests with their form's fields, account id and assignee email, newest first."""
    query = (
        select(FormRequest, Form, Account.account_id, User.email)
        .join(Form, Form.id == FormRequest.form_id)
        .join(Account, Account.id == FormRequest.account_id)
        .outerjoin(User, User.id == FormRequest.assignee_user_id)
        .where(FormRequest.tenant_id == tenant_id)
        .options(selectinload(Form.fields))
    )
    if where.assignee_user_id is not None:
        query = query.where(FormRequest.assignee_user_id == where.assignee_user_id)
    if where.run_id is not None:
        query = query.where(FormRequest.run_id == where.run_id)
    if where.status is not None:
        query = query.where(FormRequest.status == where.status)
    query = query.order_by(FormRequest.created_at.desc(), FormRequest.id).limit(where.limit)
    return [
        to_read(request, form, account_id, assignee)
        for request, form, account_id, assignee in session.execute(query)
    ]


def to_read(
    request: FormRequest, form: Form, account_id: str, assignee: str | None
) -> FormRequestRead:
    return FormRequestRead(
        id=request.id,
        form=form.name,
        account_id=account_id,
        assignee=assignee,
        status=request.status,
        due_date=request.due_date,
        instructions=request.instructions,
        fields=[
            FormFieldRead(
                attribute=field.attribute,
                label=field.label,
                type=field.type,
                options=list(field.options),
                required=field.required,
            )
            for field in form.fields
        ],
        answers=request.answers,
        run_id=request.run_id,
        play_id=request.play_id,
        assignee_fallback=request.assignee_fallback,
        created_at=request.created_at,
        submitted_at=request.submitted_at,
    )
