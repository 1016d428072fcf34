"""Admins' pages for accounts: create and edit one (name, parent, attributes, team), delete
it, and import a CSV file in the browser (a progress bar while it runs, then each refused row
with its line and reason; refused rows change nothing)."""

from __future__ import annotations

import io
from typing import Annotated, Any
from urllib.parse import quote

import orjson
from fastapi import Path, Request
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile
from starlette.responses import Response

from playrunner.accounts import imports, service
from playrunner.accounts.csv_import import read_rows, typed_cell
from playrunner.accounts.schemas import AccountRead, AccountWrite
from playrunner.api.dependencies import DatabaseDep
from playrunner.api.state import app_state
from playrunner.auth.principal import Principal
from playrunner.errors import InvalidRequest, PlayrunnerError
from playrunner.ids import parse_id
from playrunner.ui import csrf
from playrunner.ui.errors import CsrfRefused, field_messages, refusal_status
from playrunner.ui.pages import CSRF, redirect, render
from playrunner.ui.routes import pages_router
from playrunner.ui.session import CurrentAdmin, Form, PostedForm
from playrunner.users import service as users_service
from playrunner.validation import parse_model

router = pages_router()

AccountIdPath = Annotated[str, Path(min_length=1, max_length=255)]
MAX_UPLOAD_FIELDS = 5
SALESFORCE = "salesforce"
SALESFORCE_FIELD = f"external_ids.{SALESFORCE}"


@router.get("/accounts/new")
async def new_account(request: Request, admin: CurrentAdmin, db: DatabaseDep) -> Response:
    blank = {
        "account_id": "",
        "name": "",
        "parent_account_id": "",
        "attributes": "",
        "salesforce_id": "",
        "roles": {},
    }
    return await _editor(request, admin, db, blank, account=None)


@router.post("/accounts/new")
async def create_account(
    request: Request, admin: CurrentAdmin, form: PostedForm, db: DatabaseDep
) -> Response:
    return await _save(request, admin, form, db, account=None)


@router.get("/accounts/import")
async def import_page(request: Request, admin: CurrentAdmin) -> Response:
    return render(request, "accounts/import.html", {"error": None})


@router.post("/accounts/import")
async def upload(request: Request, admin: CurrentAdmin, db: DatabaseDep) -> Response:
    """Read the file whole (a file that cannot be read is refused with its line), then import
    it in the background and show its progress."""
    async with request.form(max_files=1, max_fields=MAX_UPLOAD_FIELDS) as posted:
        expected = request.scope.get("state", {}).get(CSRF)
        token = posted.get(csrf.CSRF_FIELD)
        if not csrf.same_token(expected, token if isinstance(token, str) else None):
            raise CsrfRefused()
        file = posted.get("file")
        if not isinstance(file, UploadFile) or not file.filename:
            return _import_error(request, "Choose a CSV file to import.")
        content = await file.read()
        filename = file.filename
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return _import_error(request, f"{filename}: not UTF-8 text ({exc.reason})")
    try:
        rows = read_rows(io.StringIO(text, newline=""), filename)
    except PlayrunnerError as refused:
        return _import_error(request, refused.message)
    job = await db.write(lambda s: imports.start(s, admin, filename, len(rows)))
    state = app_state(request)
    state.run_in_background(imports.run(state.database, admin.tenant_id, job.id, rows))
    return redirect(f"/accounts/import/{job.id}")


@router.get("/accounts/import/{import_id}")
async def import_progress(
    request: Request, admin: CurrentAdmin, import_id: AccountIdPath, db: DatabaseDep
) -> Response:
    key = parse_id(import_id, "Import", "import_id")
    job = await db.read(lambda s: imports.get_import(s, admin.tenant_id, key))
    return render(
        request, "accounts/import_progress.html", {"job": job, "stalled": imports.is_stalled(job)}
    )


@router.get("/accounts/{account_id}/edit")
async def edit_account(
    request: Request, admin: CurrentAdmin, account_id: AccountIdPath, db: DatabaseDep
) -> Response:
    account = await db.read(lambda s: service.read_account(s, admin.tenant_id, account_id))
    data = {
        **account.model_dump(),
        "parent_account_id": account.parent_account_id or "",
        "attributes": _attribute_lines(account.attributes),
        "salesforce_id": account.external_ids.get(SALESFORCE, ""),
    }
    return await _editor(request, admin, db, data, account=account)


@router.post("/accounts/{account_id}/edit")
async def save_account(
    request: Request,
    admin: CurrentAdmin,
    account_id: AccountIdPath,
    form: PostedForm,
    db: DatabaseDep,
) -> Response:
    account = await db.read(lambda s: service.read_account(s, admin.tenant_id, account_id))
    if form.get("do") == "delete":
        await db.write(lambda s: service.delete_account(s, admin.tenant_id, account_id))
        return redirect("/accounts?deleted=" + quote(account_id, safe=""))
    return await _save(request, admin, form, db, account=account)


async def _save(
    request: Request, admin: Principal, form: Form, db: DatabaseDep, *, account: AccountRead | None
) -> Response:
    typed: dict[str, Any] = {
        "account_id": account.account_id if account else form.get("account_id").strip(),
        "name": form.get("name").strip(),
        "parent_account_id": form.get("parent_account_id").strip(),
        "attributes": form.get("attributes"),
        # Absent (a form without the field): the account's external ids are left as they are.
        "salesforce_id": (
            form.get(SALESFORCE_FIELD).strip()
            if any(name == SALESFORCE_FIELD for name, _ in form.pairs)
            else None
        ),
        "roles": {
            name.removeprefix("role:"): value
            for name, value in form.pairs
            if name.startswith("role:")
        },
    }
    try:
        data: dict[str, Any] = {
            "account_id": typed["account_id"],
            "name": typed["name"] or typed["account_id"],
            "parent_account_id": typed["parent_account_id"] or None,
            "attributes": parse_attributes(typed["attributes"]),
            "roles": {role: email or None for role, email in typed["roles"].items()},
            "external_ids": _with_salesforce_id(account, typed["salesforce_id"]),
        }
        spec = parse_model(AccountWrite, data, what="account")
        await db.write(
            lambda s: service.write_account(
                s,
                admin.tenant_id,
                spec,
                replace=account is not None,
                actor_user_id=admin.user_id,
            )
        )
    except PlayrunnerError as refused:
        errors = field_messages(refused)
        if "external_ids" in errors:  # the one external id the editor has
            errors[SALESFORCE_FIELD] = errors.pop("external_ids")
        return await _editor(
            request,
            admin,
            db,
            typed,
            account=account,
            errors=errors,
            status=refusal_status(refused),
        )
    return redirect(f"/accounts/{quote(spec.account_id, safe='')}")


def _with_salesforce_id(
    account: AccountRead | None, salesforce_id: str | None
) -> dict[str, str] | None:
    """The account's external ids with the Salesforce one as typed (empty: none); its ids in
    other systems are kept. None: not given, nothing changes."""
    if salesforce_id is None:
        return None
    ids = dict(account.external_ids) if account else {}
    ids.pop(SALESFORCE, None)
    if salesforce_id:
        ids[SALESFORCE] = salesforce_id
    return ids


def parse_attributes(text: str) -> dict[str, Any]:
    """``name = value`` lines as attributes: numbers, true and false as such, a value written
    as JSON (a "quoted" text, a ["list"]) as that JSON, else text; the API's rules decide
    what an attribute may hold."""
    attributes: dict[str, Any] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, separator, value = line.partition("=")
        if not separator or not name.strip():
            raise InvalidRequest(f"line {number} must look like name = value", field="attributes")
        attributes[name.strip()] = _attribute_value(value.strip())
    return attributes


def _attribute_value(text: str) -> Any:
    if text.startswith(('"', "[")):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            return text
    return typed_cell(text)


def _attribute_lines(attributes: dict[str, Any]) -> str:
    """The attributes as the editor shows them, each read back as the same value."""

    def shown(value: Any) -> str:
        plain = isinstance(value, str) and "\n" not in value and value.strip() == value
        if plain and _attribute_value(value) == value:
            return str(value)
        return orjson.dumps(value).decode()

    return "\n".join(f"{name} = {shown(value)}" for name, value in sorted(attributes.items()))


async def _editor(
    request: Request,
    admin: Principal,
    db: DatabaseDep,
    data: dict[str, Any],
    *,
    account: AccountRead | None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    def read(s: Session) -> dict[str, Any]:
        return {
            "roles": [role.name for role in service.list_roles(s, admin.tenant_id)],
            "users": users_service.active_user_choices(s, admin.tenant_id),
        }

    return render(
        request,
        "accounts/edit.html",
        {"account": account, "data": data, "errors": errors or {}, **await db.read(read)},
        status=status,
    )


def _import_error(request: Request, message: str) -> Response:
    return render(request, "accounts/import.html", {"error": message}, status=400)
