"""Forms in the admin console: which account attribute each answer updates, with its type,
options and whether it is required. Fields are added and removed without JavaScript; the
API's rules check every save."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request
from starlette.responses import Response

from playrunner.api.dependencies import DatabaseDep
from playrunner.api.paths import FormId
from playrunner.auth.principal import Principal
from playrunner.errors import PlayrunnerError
from playrunner.forms import service
from playrunner.forms.schemas import FormRead, FormSpec
from playrunner.models import FieldType
from playrunner.pagination import every_page
from playrunner.ui.errors import field_messages, refusal_status
from playrunner.ui.forms import positions, removed_position
from playrunner.ui.pages import redirect, render
from playrunner.ui.routes import pages_router
from playrunner.ui.session import CurrentAdmin, Form, PostedForm
from playrunner.validation import parse_model

router = pages_router()

TYPES = [
    (FieldType.TEXT.value, "Text"),
    (FieldType.NUMBER.value, "Number"),
    (FieldType.DATE.value, "Date"),
    (FieldType.LIST.value, "List (one option)"),
    (FieldType.MULTI_SELECT.value, "Multi-select (several options)"),
    (FieldType.BOOLEAN.value, "Yes / no"),
]
NEW_FIELD: dict[str, Any] = {
    "attribute": "",
    "label": "",
    "type": "text",
    "options": [],
    "required": False,
}


@router.get("/forms")
async def forms_page(
    request: Request, admin: CurrentAdmin, db: DatabaseDep, deleted: str = ""
) -> Response:
    forms = await db.read(
        lambda s: every_page(
            lambda limit, offset: service.page_forms(s, admin.tenant_id, limit=limit, offset=offset)
        )
    )
    return render(
        request,
        "forms/forms.html",
        {"forms": [FormRead.model_validate(f) for f in forms], "deleted": deleted},
    )


@router.get("/forms/new")
async def new_form(request: Request, admin: CurrentAdmin) -> Response:
    return _editor(request, {"name": "", "fields": [dict(NEW_FIELD)]}, form=None)


@router.post("/forms/new")
async def create_form(
    request: Request, admin: CurrentAdmin, form: PostedForm, db: DatabaseDep
) -> Response:
    return await _posted(request, admin, form, db, existing=None)


@router.get("/forms/{form_id}/edit")
async def edit_form(
    request: Request, admin: CurrentAdmin, form_id: FormId, db: DatabaseDep, saved: str = ""
) -> Response:
    existing = await db.read(
        lambda s: FormRead.model_validate(service.get_form(s, admin.tenant_id, form_id))
    )
    return _editor(request, existing.model_dump(mode="json"), form=existing, saved=bool(saved))


@router.post("/forms/{form_id}/edit")
async def save_form(
    request: Request, admin: CurrentAdmin, form_id: FormId, form: PostedForm, db: DatabaseDep
) -> Response:
    existing = await db.read(
        lambda s: FormRead.model_validate(service.get_form(s, admin.tenant_id, form_id))
    )
    return await _posted(request, admin, form, db, existing=existing)


@router.post("/forms/{form_id}/delete")
async def delete_form(
    request: Request, admin: CurrentAdmin, form_id: FormId, form: PostedForm, db: DatabaseDep
) -> Response:
    """Refused (with the API's words) while a play requests the form or requests were made
    from it."""
    existing = await db.read(
        lambda s: FormRead.model_validate(service.get_form(s, admin.tenant_id, form_id))
    )
    try:
        await db.write(lambda s: service.delete_form(s, admin.tenant_id, form_id))
    except PlayrunnerError as refused:
        return _editor(
            request,
            existing.model_dump(mode="json"),
            form=existing,
            errors={"": refused.message},
            status=refused.status_code,
        )
    return redirect(f"/forms?deleted={quote(existing.name, safe='')}")


async def _posted(
    request: Request, admin: Principal, form: Form, db: DatabaseDep, *, existing: FormRead | None
) -> Response:
    data = posted_form(form)
    action = form.get("do", "save")
    if action == "add_field":
        data["fields"].append(dict(NEW_FIELD))
    elif (index := removed_position(action)) is not None:
        data["fields"] = [f for i, f in enumerate(data["fields"]) if i != index]
    if action != "save":
        return _editor(request, data, form=existing)
    try:
        spec = parse_model(FormSpec, data, what="form")
        key = existing.key if existing is not None else None
        saved = await db.write(
            lambda s: (
                service.create_form(s, admin.tenant_id, spec, key=key)
                if existing is None
                else service.update_form(s, admin.tenant_id, existing.id, spec, key=key)
            )
        )
    except PlayrunnerError as refused:
        return _editor(
            request,
            data,
            form=existing,
            errors=field_messages(refused),
            status=refusal_status(refused),
        )
    return redirect(f"/forms/{saved.id}/edit?saved=1")


def posted_form(form: Form) -> dict[str, Any]:
    """The editor's fields as the API's form; options one per line."""
    fields = [
        {
            "attribute": form.get(f"fields[{i}].attribute").strip(),
            "label": form.get(f"fields[{i}].label").strip(),
            "type": form.get(f"fields[{i}].type", "text"),
            "options": [
                line.strip()
                for line in form.get(f"fields[{i}].options").splitlines()
                if line.strip()
            ],
            "required": form.get(f"fields[{i}].required") == "on",
        }
        for i in positions(form.pairs, "fields")
    ]
    return {"name": form.get("name").strip(), "fields": fields}


def _editor(
    request: Request,
    data: dict[str, Any],
    *,
    form: FormRead | None,
    errors: dict[str, str] | None = None,
    saved: bool = False,
    status: int = 200,
) -> Response:
    return render(
        request,
        "forms/edit.html",
        {"form": form, "data": data, "errors": errors or {}, "types": TYPES, "saved": saved},
        status=status,
    )
