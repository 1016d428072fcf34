"""``/api/v1/form-requests``: forms someone was asked to fill in, and answering them.

Admins see and act on every request of their service; a regular user sees, submits and
cancels only the requests assigned to them (any other is "not found").
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from playrunner.api.dependencies import DatabaseDep
from playrunner.api.openapi import READ_ERRORS, WRITE_ERRORS
from playrunner.api.pagination import Page, PageDep
from playrunner.api.paths import FormRequestId
from playrunner.auth.dependencies import CurrentPrincipal, require_scope
from playrunner.auth.principal import Principal
from playrunner.form_requests import service
from playrunner.form_requests.repository import FormRequestFilter
from playrunner.form_requests.schemas import FormRequestRead, FormRequestSubmit
from playrunner.models import FormRequestStatus
from playrunner.validation import FilterText

router = APIRouter(prefix="/api/v1", tags=["Form requests"])


@router.get(
    "/form-requests",
    operation_id="listFormRequests",
    dependencies=[require_scope("form_requests:read")],
    response_model=Page[FormRequestRead],
    responses=READ_ERRORS,
)
async def list_form_requests(
    principal: CurrentPrincipal,
    db: DatabaseDep,
    page: PageDep,
    assignee: Annotated[
        FilterText | None, Query(description="Only requests assigned to this email")
    ] = None,
    status: Annotated[
        FormRequestStatus | None, Query(description="Only requests in this status")
    ] = None,
    account: Annotated[
        FilterText | None, Query(description="Only requests on this account id")
    ] = None,
) -> Page[FormRequestRead]:
    """Form requests of your service, newest first; a regular user sees only their own."""
    where = FormRequestFilter(
        assignee_email=assignee,
        status=status,
        account_id=account,
        limit=page.limit,
        offset=page.offset,
    )
    items, total = await db.read(lambda s: service.page_form_requests(s, principal, where))
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get(
    "/form-requests/{request_id}",
    operation_id="getFormRequest",
    dependencies=[require_scope("form_requests:read")],
    response_model=FormRequestRead,
    responses=READ_ERRORS,
)
async def get_form_request(
    principal: CurrentPrincipal, request_id: FormRequestId, db: DatabaseDep
) -> FormRequestRead:
    """One form request with the questions it asks (and the answers, once submitted)."""
    return await db.read(lambda s: service.read_form_request(s, principal, request_id))


@router.post(
    "/form-requests/{request_id}/submit",
    operation_id="submitFormRequest",
    dependencies=[require_scope("form_requests:write")],
    response_model=FormRequestRead,
    responses=WRITE_ERRORS,
)
async def submit_form_request(
    principal: CurrentPrincipal, request_id: FormRequestId, body: FormRequestSubmit, db: DatabaseDep
) -> FormRequestRead:
    """Answer the form: the answers are checked against its fields and written to the
    account's attributes in the same transaction. A request is answered once (409 after)."""
    return await db.write(lambda s: _submit(s, principal, request_id, body.answers))


@router.post(
    "/form-requests/{request_id}/cancel",
    operation_id="cancelFormRequest",
    dependencies=[require_scope("form_requests:write")],
    response_model=FormRequestRead,
    responses=WRITE_ERRORS,
)
async def cancel_form_request(
    principal: CurrentPrincipal, request_id: FormRequestId, db: DatabaseDep
) -> FormRequestRead:
    """Close an open request without answering it; the account does not change."""
    return await db.write(lambda s: _cancel(s, principal, request_id))


def _submit(
    s: Session, principal: Principal, request_id: uuid.UUID, answers: dict[str, Any]
) -> FormRequestRead:
    service.get_visible_form_request(s, principal, request_id)
    service.submit(s, principal, request_id, answers)
    return service.read_form_request(s, principal, request_id)


def _cancel(s: Session, principal: Principal, request_id: uuid.UUID) -> FormRequestRead:
    service.get_visible_form_request(s, principal, request_id)
    service.cancel(s, principal, request_id)
    return service.read_form_request(s, principal, request_id)
