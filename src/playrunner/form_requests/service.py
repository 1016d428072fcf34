"""Form requests: asking someone to fill in a form, and applying their answers."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from playrunner.accounts import repository as accounts_repository
from playrunner.accounts import service as accounts_service
from playrunner.auth.principal import Principal
from playrunner.clock import utcnow
from playrunner.errors import Conflict, NotFound, PermissionDenied
from playrunner.form_requests import repository
from playrunner.form_requests.repository import FormRequestFilter
from playrunner.form_requests.schemas import FormRequestRead
from playrunner.forms import service as forms_service
from playrunner.models import FormRequest, FormRequestStatus
from playrunner.pagination import check_page_size


def new_form_request(
    *,
    tenant_id: str,
    form_id: uuid.UUID,
    account_pk: uuid.UUID,
    assignee_user_id: uuid.UUID | None,
    due_date: date | None,
    instructions: str,
    run_id: uuid.UUID | None = None,
    play_id: uuid.UUID | None = None,
    assignee_fallback: str | None = None,
) -> FormRequest:
    return FormRequest(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        form_id=form_id,
        account_id=account_pk,
        run_id=run_id,
        play_id=play_id,
        assignee_user_id=assignee_user_id,
        assignee_fallback=assignee_fallback,
        due_date=due_date,
        instructions=instructions,
        status=FormRequestStatus.OPEN,
        created_at=utcnow(),
    )


def list_form_requests(
    session: Session, tenant_id: str, where: FormRequestFilter
) -> list[FormRequestRead]:
    check_page_size(where.limit)
    return repository.find(session, tenant_id, where)


def get_form_request(session: Session, tenant_id: str, request_id: uuid.UUID) -> FormRequest:
    request = repository.get(session, tenant_id, request_id)
    if request is None:
        raise NotFound(f"Form request {request_id} not found", field="form_request_id")
    return request


def submit(session: Session, actor: Principal, request_id: uuid.UUID, answers: Any) -> FormRequest:
    """Validate the answers and write them to the account's attributes, in one transaction."""
    request = repository.get_for_update(session, actor.tenant_id, request_id)
    if request is None:
        raise NotFound(f"Form request {request_id} not found", field="form_request_id")
    if not actor.is_admin and request.assignee_user_id != actor.user_id:
        raise PermissionDenied("Only the form request's assignee or an admin may submit it")
    if request.status is not FormRequestStatus.OPEN:
        raise Conflict(f"Form request is already {request.status.value}", field="status")
    form = forms_service.get_form(session, actor.tenant_id, request.form_id)
    clean = forms_service.validate_answers(form, answers)
    account = accounts_repository.get(session, actor.tenant_id, request.account_id)
    if account is None:  # pragma: no cover - the foreign key cascades deletes
        raise NotFound("The form request's account no longer exists", field="account")
    accounts_service.update_attributes(session, account, clean)
    request.answers = clean
    request.status = FormRequestStatus.SUBMITTED
    request.submitted_at = utcnow()
    request.submitted_by_user_id = actor.user_id
    session.flush()
    return request


def cancel(session: Session, actor: Principal, request_id: uuid.UUID) -> FormRequest:
    request = get_form_request(session, actor.tenant_id, request_id)
    if not actor.is_admin and request.assignee_user_id != actor.user_id:
        raise PermissionDenied("Only the form request's assignee or an admin may cancel it")
    if request.status is not FormRequestStatus.OPEN:
        raise Conflict(f"Form request is already {request.status.value}", field="status")
    request.status = FormRequestStatus.CANCELLED
    session.flush()
    return request
