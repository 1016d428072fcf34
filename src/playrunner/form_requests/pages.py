"""A form request's page: the form's questions as inputs of their types, the current value of
each attribute an answer will change, and submitting the answers (checked by the same rules
as the API, errors beside their fields, everything typed kept)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from playrunner.accounts import service as accounts_service
from playrunner.accounts.schemas import AccountRead
from playrunner.api.dependencies import DatabaseDep
from playrunner.api.paths import FormRequestId
from playrunner.auth.principal import Principal
from playrunner.errors import Conflict, PlayrunnerError
from playrunner.form_requests import service
from playrunner.form_requests.schemas import FormRequestRead
from playrunner.forms.schemas import FormFieldRead
from playrunner.models import FieldType, FormRequestStatus
from playrunner.plays import service as plays_service
from playrunner.ui.errors import field_messages
from playrunner.ui.pages import redirect, render
from playrunner.ui.routes import pages_router
from playrunner.ui.session import CurrentUser, Form, PostedForm

router = pages_router()

INPUT_PREFIX = "answer-"
_INTEGER = re.compile(r"^[+-]?\d+$")


@dataclass(frozen=True)
class RequestView:
    request: FormRequestRead
    account: AccountRead
    play: str | None


def _view(s: Session, user: Principal, request_id: uuid.UUID) -> RequestView:
    found = service.read_form_request(s, user, request_id)
    account = accounts_service.read_account(s, user.tenant_id, found.account_id)
    play = (
        plays_service.names_by_id(s, user.tenant_id, {found.play_id}).get(found.play_id)
        if found.play_id is not None
        else None
    )
    return RequestView(found, account, play)


@router.get("/form-requests/{request_id}")
async def form_request_page(
    request: Request, user: CurrentUser, request_id: FormRequestId, db: DatabaseDep
) -> Response:
    view = await db.read(lambda s: _view(s, user, request_id))
    return _render(request, view, typed=_current(view))


@router.post("/form-requests/{request_id}")
async def submit_answers(
    request: Request,
    user: CurrentUser,
    request_id: FormRequestId,
    form: PostedForm,
    db: DatabaseDep,
) -> Response:
    view = await db.read(lambda s: _view(s, user, request_id))
    answers = answers_from(view.request.fields, form)
    try:
        await db.write(lambda s: service.submit(s, user, request_id, answers))
    except Conflict as already:
        view = await db.read(lambda s: _view(s, user, request_id))
        return _render(request, view, typed={}, refused=already.message, status=409)
    except PlayrunnerError as refused:
        errors = {
            (INPUT_PREFIX + name if name and name != "answers" else ""): message
            for name, message in field_messages(refused).items()
        }
        return _render(request, view, typed=_typed(form), errors=errors, status=400)
    account = view.request.account_id
    return redirect(f"/accounts/{quote(account, safe='')}?answered={request_id}")


def answers_from(fields: list[FormFieldRead], form: Form) -> dict[str, Any]:
    """The answers as the API takes them, from what a browser sends (text): numbers and yes/no
    read as such, a multi-select as a list, an empty field as no answer. Text that is not what
    the field wants goes to the form's own rules as it is, to be refused in their words."""
    answers: dict[str, Any] = {}
    for field in fields:
        name = INPUT_PREFIX + field.attribute
        if field.type is FieldType.MULTI_SELECT:
            chosen = form.get_all(name)
            if chosen:
                answers[field.attribute] = chosen
            continue
        raw = form.get(name).strip() if field.type is not FieldType.TEXT else form.get(name)
        if raw.strip() == "":
            continue
        answers[field.attribute] = _typed_value(field.type, raw)
    return answers


def _typed_value(kind: FieldType, raw: str) -> Any:
    if kind is FieldType.NUMBER:
        try:
            return int(raw) if _INTEGER.match(raw) else float(raw)
        except ValueError:
            return raw
    if kind is FieldType.BOOLEAN:
        return {"yes": True, "no": False}.get(raw, raw)
    return raw


def _current(view: RequestView) -> dict[str, Any]:
    """The form filled in with the account's current values (or the answers once given)."""
    values = view.request.answers or view.account.attributes
    typed: dict[str, Any] = {}
    for field in view.request.fields:
        value = values.get(field.attribute)
        if value is None:
            continue
        if field.type is FieldType.BOOLEAN:
            value = "yes" if value else "no"
        typed[INPUT_PREFIX + field.attribute] = value
    return typed


def _typed(form: Form) -> dict[str, Any]:
    typed: dict[str, Any] = {}
    for name, value in form.pairs:
        if name.startswith(INPUT_PREFIX):
            if name in typed:
                typed[name] = [
                    *([typed[name]] if isinstance(typed[name], str) else typed[name]),
                    value,
                ]
            else:
                typed[name] = value
    return typed


def _render(
    request: Request,
    view: RequestView,
    *,
    typed: dict[str, Any],
    errors: dict[str, str] | None = None,
    refused: str | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "form_requests/form_request.html",
        {
            "view": view,
            "fr": view.request,
            "is_open": view.request.status is FormRequestStatus.OPEN,
            "prefix": INPUT_PREFIX,
            "typed": typed,
            "errors": errors or {},
            "refused": refused,
            "labels": {INPUT_PREFIX + f.attribute: f.label for f in view.request.fields},
        },
        status=status,
    )
