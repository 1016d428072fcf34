"""``/api/v1/forms``: the forms a play asks people to fill in. Admins define them; every
user of the service reads them."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy.orm import Session

from playrunner.api.dependencies import DatabaseDep
from playrunner.api.openapi import problem_responses
from playrunner.api.pagination import Page, PageDep
from playrunner.api.paths import FormId
from playrunner.auth.dependencies import AdminPrincipal, CurrentPrincipal, require_scope
from playrunner.forms import service
from playrunner.forms.schemas import FormRead, FormWrite

router = APIRouter(prefix="/api/v1/forms", tags=["Forms"])


@router.post(
    "",
    operation_id="createForm",
    dependencies=[require_scope("forms:write")],
    status_code=201,
    response_model=FormRead,
    responses=problem_responses(400, 401, 403, 409, 429, 503),
)
async def create_form(body: FormWrite, principal: AdminPrincipal, db: DatabaseDep) -> FormRead:
    """Define a form: each field updates one account attribute; list and multi-select fields
    need options, other types take none. 409 if the name or key is taken."""
    return await db.write(
        lambda s: FormRead.model_validate(
            service.create_form(s, principal.tenant_id, body, key=body.key)
        )
    )


@router.get(
    "",
    operation_id="listForms",
    dependencies=[require_scope("forms:read")],
    response_model=Page[FormRead],
    responses=problem_responses(400, 401, 403, 429, 503),
)
async def list_forms(principal: CurrentPrincipal, db: DatabaseDep, page: PageDep) -> Page[FormRead]:
    """Your service's forms, ordered by name."""

    def work(s: Session) -> tuple[list[FormRead], int]:
        forms, total = service.page_forms(
            s, principal.tenant_id, limit=page.limit, offset=page.offset
        )
        return [FormRead.model_validate(form) for form in forms], total

    items, total = await db.read(work)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get(
    "/{form_id}",
    operation_id="getForm",
    dependencies=[require_scope("forms:read")],
    response_model=FormRead,
    responses=problem_responses(400, 401, 403, 404, 429, 503),
)
async def get_form(principal: CurrentPrincipal, form_id: FormId, db: DatabaseDep) -> FormRead:
    """One form with its fields, in order."""
    return await db.read(
        lambda s: FormRead.model_validate(service.get_form(s, principal.tenant_id, form_id))
    )


@router.put(
    "/{form_id}",
    operation_id="replaceForm",
    dependencies=[require_scope("forms:write")],
    response_model=FormRead,
    responses=problem_responses(400, 401, 403, 404, 409, 429, 503),
)
async def replace_form(
    principal: AdminPrincipal, form_id: FormId, body: FormWrite, db: DatabaseDep
) -> FormRead:
    """Replace a form's name, key and fields (a key left out is removed), checked as on
    creation. Open requests for it are then answered against the new fields."""
    return await db.write(
        lambda s: FormRead.model_validate(
            service.update_form(s, principal.tenant_id, form_id, body, key=body.key)
        )
    )


@router.delete(
    "/{form_id}",
    operation_id="deleteForm",
    dependencies=[require_scope("forms:write")],
    status_code=204,
    responses=problem_responses(400, 401, 403, 404, 409, 429, 503),
)
async def delete_form(principal: AdminPrincipal, form_id: FormId, db: DatabaseDep) -> Response:
    """Delete a form; 409 while a SuccessPlay requests it or any form request was made from
    it."""
    await db.write(lambda s: service.delete_form(s, principal.tenant_id, form_id))
    return Response(status_code=204)
