"""Form requests: asking someone to fill in a form, and applying their answers.

Who may do what: admins see and act on every form request of their service; a regular user
sees only the requests assigned to them (through the API, any other is "not found"), and
submits or cancels only those.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from playrunner.accounts import service as accounts_service
from playrunner.auth.principal import Principal
from playrunner.clock import utcnow
from playrunner.errors import Conflict, NotFound, PermissionDenied
from playrunner.form_requests import repository
from playrunner.form_requests.repository import FormRequestFilter, FormRequestRow
from playrunner.form_requests.schemas import (
    AttributeChange,
    FormRequestRead,
    FormRequestSubmitted,
)
from playrunner.forms import service as forms_service
from playrunner.forms.schemas import FormFieldRead
from playrunner.ids import time_ordered_id
from playrunner.models import OPEN_FORM_REQUEST_STATUSES, FormRequest, FormRequestStatus
from playrunner.models.records import FormRequestRecord
from playrunner.validation import canonical_email
from playrunner.webhooks import service as webhooks_service


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
) -> FormRequestRecord:
    """A new form request's row (its id made here)."""
    return FormRequestRecord(
        id=time_ordered_id(),
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


def form_request_read(row: FormRequestRow) -> FormRequestRead:
    """A form request as callers see it, with the questions it asks."""
    request, form = row.request, row.form
    return FormRequestRead(
        id=request.id,
        form=form.name,
        account_id=row.account_id,
        assignee=row.assignee,
        status=request.status,
        due_date=request.due_date,
        instructions=request.instructions,
        fields=[FormFieldRead.model_validate(field) for field in form.fields],
        answers=request.answers,
        run_id=request.run_id,
        play_id=request.play_id,
        assignee_fallback=request.assignee_fallback,
        created_at=request.created_at,
        submitted_at=request.submitted_at,
    )


def page_form_requests(
    session: Session, actor: Principal, where: FormRequestFilter
) -> tuple[list[FormRequestRead], int]:
    """A page of the requests ``actor`` may see (a regular user: their own) and the total:
    for the API, the pages and the CLI alike."""
    where = replace(
        where,
        assignee_email=canonical_email(where.assignee_email) if where.assignee_email else None,
        assignee_user_id=actor.sees_items_of(where.assignee_user_id),
    )
    rows, total = repository.find_page(session, actor.tenant_id, where)
    return [form_request_read(row) for row in rows], total


def get_form_request(session: Session, tenant_id: str, request_id: uuid.UUID) -> FormRequest:
    request = repository.get(session, tenant_id, request_id)
    if request is None:
        raise NotFound(f"Form request {request_id} not found", field="form_request_id")
    return request


def get_visible_form_request(
    session: Session, actor: Principal, request_id: uuid.UUID
) -> FormRequest:
    """The request, if ``actor`` may see it: admins see all of their service's, others
    their own."""
    request = get_form_request(session, actor.tenant_id, request_id)
    if not actor.may_act_on(request.assignee_user_id):
        raise NotFound(f"Form request {request_id} not found", field="form_request_id")
    return request


def read_form_request(session: Session, actor: Principal, request_id: uuid.UUID) -> FormRequestRead:
    """One request with its questions, with the visibility of ``get_visible_form_request``."""
    get_visible_form_request(session, actor, request_id)
    found = repository.read(session, actor.tenant_id, request_id)
    if found is None:  # pragma: no cover - the request was just read in this transaction
        raise NotFound(f"Form request {request_id} not found", field="form_request_id")
    return form_request_read(found)


def _open_for_update(
    session: Session, actor: Principal, request_id: uuid.UUID, action: str
) -> FormRequest:
    """The open request ``actor`` may ``action`` (submit or cancel), locked for the change."""
    request = repository.get_for_update(session, actor.tenant_id, request_id)
    if request is None:
        raise NotFound(f"Form request {request_id} not found", field="form_request_id")
    if not actor.may_act_on(request.assignee_user_id):
        raise PermissionDenied(f"Only the form request's assignee or an admin may {action} it")
    if request.status not in OPEN_FORM_REQUEST_STATUSES:
        raise Conflict(f"Form request is already {request.status.value}", field="status")
    return request


def submit(session: Session, actor: Principal, request_id: uuid.UUID, answers: Any) -> FormRequest:
    """Validate the answers and write them to the account's attributes, in one transaction."""
    request = _open_for_update(session, actor, request_id, "submit")
    form = forms_service.get_form(session, actor.tenant_id, request.form_id)
    clean = forms_service.validate_answers(form, answers)
    account = accounts_service.get_account_by_pk(session, actor.tenant_id, request.account_id)
    before = dict(account.attributes)
    accounts_service.update_attributes(session, account, clean, actor_user_id=actor.user_id)
    request.answers = clean
    request.status = FormRequestStatus.SUBMITTED
    request.submitted_at = utcnow()
    request.submitted_by_user_id = actor.user_id
    session.flush()
    if webhooks_service.listening(session, actor.tenant_id, ["form_request.submitted"]):
        changes = {
            name: AttributeChange(before=before.get(name), after=value)
            for name, value in clean.items()
            if before.get(name) != value
        }
        submitted = FormRequestSubmitted(
            **read_form_request(session, actor, request_id).model_dump(),
            attribute_changes=changes,
        )
        webhooks_service.publish(session, actor.tenant_id, "form_request.submitted", [submitted])
    return request


def cancel(session: Session, actor: Principal, request_id: uuid.UUID) -> FormRequest:
    """Close an open request without answers; it can no longer be submitted."""
    request = _open_for_update(session, actor, request_id, "cancel")
    request.status = FormRequestStatus.CANCELLED
    session.flush()
    return request


# A play's open form requests: what its duplicate policy looks for, and what deleting it may cancel.


def open_of_play(
    session: Session, tenant_id: str, play_id: uuid.UUID, account_pks: Sequence[uuid.UUID]
) -> list[tuple[uuid.UUID, uuid.UUID, datetime]]:
    """(account, run, created at) of the play's open form requests on these accounts."""
    return repository.open_of_play(session, tenant_id, play_id, account_pks)


def count_open_of_play(session: Session, tenant_id: str, play_id: uuid.UUID) -> int:
    return repository.count_open_of_play(session, tenant_id, play_id)


def cancel_open_of_play(session: Session, tenant_id: str, play_id: uuid.UUID) -> None:
    """Cancel every open form request the play made (the play is being deleted)."""
    repository.cancel_open_of_play(session, tenant_id, play_id)


def read_new(
    session: Session,
    requests: Sequence[FormRequestRecord],
    account_ids: Mapping[uuid.UUID, str],
    assignees: Mapping[uuid.UUID, str | None],
) -> list[FormRequestRead]:
    """Requests just made, as callers will see them (as ``tasks.service.read_new``); one
    query for their forms' questions."""
    if not requests:
        return []
    forms = forms_service.with_fields_by_pk(session, {r.form_id for r in requests})
    return [
        form_request_read(
            FormRequestRow(
                request,
                forms[request.form_id],
                account_ids[request.account_id],
                assignees.get(request.id),
            )
        )
        for request in requests
    ]


def read_of_run(session: Session, tenant_id: str, run_id: uuid.UUID) -> list[FormRequestRead]:
    """Every form request a run made, oldest first, with its questions."""
    return [form_request_read(row) for row in repository.of_run(session, tenant_id, run_id)]
