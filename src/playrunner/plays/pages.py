"""SuccessPlays in the admin console: the list, a page per play (its URL carries the id the
trigger API wants, with a ready-to-copy curl), and the editor: every field of the API's play,
actions added and removed without JavaScript, templates previewed on an account, the API's
validation beside each field."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from playrunner.accounts import service as accounts_service
from playrunner.api.dependencies import DatabaseDep
from playrunner.api.paths import PlayId
from playrunner.auth.principal import Principal
from playrunner.automations.curl import curl_statement
from playrunner.errors import PlayrunnerError
from playrunner.flows import service as flows_service
from playrunner.forms import service as forms_service
from playrunner.pagination import every_page
from playrunner.plays import service
from playrunner.plays.schemas import PlayRead, PlaySpec
from playrunner.plays.service import PreviewedAction
from playrunner.runs import service as runs_service
from playrunner.runs.repository import RunFilter
from playrunner.runs.schemas import RunRead
from playrunner.runs.service import PlayActivity
from playrunner.ui.errors import field_messages, refusal_status
from playrunner.ui.forms import number, positions, removed_position
from playrunner.ui.pages import public_base_url, redirect, render
from playrunner.ui.routes import pages_router
from playrunner.ui.session import CurrentAdmin, Form, PostedForm
from playrunner.users import service as users_service
from playrunner.validation import parse_model

router = pages_router()

NEW_TASK: dict[str, Any] = {
    "type": "create_task",
    "title": "",
    "description": "",
    "flow": None,
    "priority": 2,
    "due_in_days": 3,
    "assignee": {"kind": "account_role", "role": "Success Manager"},
    "touchpoint_required": False,
}
NEW_FORM_REQUEST: dict[str, Any] = {
    "type": "request_information",
    "form": "",
    "due_in_days": 3,
    "assignee": {"kind": "account_role", "role": "Success Manager"},
    "instructions": "",
}
NEW_PLAY: dict[str, Any] = {
    "name": "",
    "description": "",
    "objective": "",
    "triggers": ["manual"],
    "active": True,
    "apply_to_parent": False,
    "duplicate_policy": "allow",
    "event_criteria": None,
    "actions": [NEW_TASK],
}


@router.get("/successplays")
async def plays_page(request: Request, admin: CurrentAdmin, db: DatabaseDep) -> Response:
    def read(s: Session) -> tuple[list[PlayRead], dict[uuid.UUID, PlayActivity]]:
        plays = every_page(
            lambda limit, offset: service.page_plays(s, admin.tenant_id, limit=limit, offset=offset)
        )
        return plays, runs_service.activity_of_plays(s, admin.tenant_id, [p.id for p in plays])

    plays, activity = await db.read(read)
    return render(request, "plays/plays.html", {"plays": plays, "activity": activity})


@dataclass(frozen=True)
class PlayView:
    play: PlayRead
    runs: list[RunRead]
    runs_total: int


@router.get("/successplays/new")
async def new_play(request: Request, admin: CurrentAdmin, db: DatabaseDep) -> Response:
    return await _editor(request, admin, db, NEW_PLAY, play=None)


@router.post("/successplays/new")
async def create_play(
    request: Request, admin: CurrentAdmin, form: PostedForm, db: DatabaseDep
) -> Response:
    return await _posted(request, admin, form, db, play=None)


@router.get("/successplays/{play_id}")
async def play_page(
    request: Request, admin: CurrentAdmin, play_id: PlayId, db: DatabaseDep, saved: str = ""
) -> Response:
    def read(s: Session) -> PlayView:
        play = service.read_play(s, admin.tenant_id, play_id)
        runs, total = runs_service.page_runs(
            s, admin.tenant_id, RunFilter(play_id=play_id, limit=20)
        )
        return PlayView(play, runs, total)

    view = await db.read(read)
    base_url = public_base_url(request)
    return render(
        request,
        "plays/play.html",
        {
            "view": view,
            "play": view.play,
            "saved": bool(saved),
            "curl": curl_statement(
                base_url, "'app-token: APP_TOKEN'", str(view.play.id), "{account-id}"
            ),
        },
    )


@router.get("/successplays/{play_id}/edit")
async def edit_play(
    request: Request, admin: CurrentAdmin, play_id: PlayId, db: DatabaseDep
) -> Response:
    play = await db.read(lambda s: service.read_play(s, admin.tenant_id, play_id))
    return await _editor(request, admin, db, play.model_dump(mode="json"), play=play)


@router.post("/successplays/{play_id}/edit")
async def save_play(
    request: Request, admin: CurrentAdmin, play_id: PlayId, form: PostedForm, db: DatabaseDep
) -> Response:
    play = await db.read(lambda s: service.read_play(s, admin.tenant_id, play_id))
    return await _posted(request, admin, form, db, play=play)


@router.post("/successplays/{play_id}/active")
async def set_active(
    request: Request, admin: CurrentAdmin, play_id: PlayId, form: PostedForm, db: DatabaseDep
) -> Response:
    """Activate or deactivate: a deactivated play no longer runs; its open tasks stay open."""
    active = form.get("active") == "true"
    await db.write(lambda s: service.set_active(s, admin.tenant_id, play_id, active))
    return redirect(f"/successplays/{play_id}")


async def _posted(
    request: Request, admin: Principal, form: Form, db: DatabaseDep, *, play: PlayRead | None
) -> Response:
    """The editor's buttons: add or remove an action, preview the templates, or save."""
    data = posted_play(form)
    action = form.get("do", "save")
    if action == "add_task":
        data["actions"].append(dict(NEW_TASK))
    elif action == "add_form":
        data["actions"].append(dict(NEW_FORM_REQUEST))
    elif (index := removed_position(action)) is not None:
        data["actions"] = [a for i, a in enumerate(data["actions"]) if i != index]
    if action != "save":
        preview_on = form.get("preview_account").strip() if action == "preview" else ""
        return await _editor(request, admin, db, data, play=play, preview_on=preview_on)
    try:
        spec = parse_model(PlaySpec, data, what="play")
        key = play.key if play is not None else None
        saved = await db.write(
            lambda s: (
                service.create_play(s, admin.tenant_id, spec, key=key)
                if play is None
                else service.replace_play(s, admin.tenant_id, play.id, spec, key=key)
            )
        )
    except PlayrunnerError as refused:
        return await _editor(
            request,
            admin,
            db,
            data,
            play=play,
            errors=field_messages(refused),
            status=refusal_status(refused),
        )
    return redirect(f"/successplays/{saved.id}?saved=1")


def posted_play(form: Form) -> dict[str, Any]:
    """The editor's fields as the API's play (what a JSON body would carry): checkboxes are
    booleans, numbers numbers, empty optional fields absent. Values that are not what a field
    wants are left for the API's rules to refuse, in their words."""
    actions = []
    for position in positions(form.pairs, "actions"):
        field = f"actions[{position}]"
        kind = form.get(f"{field}.assignee.kind", "account_role")
        assignee: dict[str, Any] = {"kind": kind}
        if kind == "account_role":
            assignee["role"] = form.get(f"{field}.assignee.role")
        elif kind == "user":
            assignee["email"] = form.get(f"{field}.assignee.email")
        action: dict[str, Any] = {
            "type": form.get(f"{field}.type"),
            "due_in_days": number(form.get(f"{field}.due_in_days")),
            "assignee": assignee,
        }
        if action["type"] == "create_task":
            action.update(
                title=form.get(f"{field}.title"),
                description=form.get(f"{field}.description"),
                flow=form.get(f"{field}.flow") or None,
                priority=number(form.get(f"{field}.priority", "2")),
                touchpoint_required=form.get(f"{field}.touchpoint_required") == "on",
            )
        else:
            action.update(
                form=form.get(f"{field}.form"), instructions=form.get(f"{field}.instructions")
            )
        actions.append(action)
    return {
        "name": form.get("name").strip(),
        "description": form.get("description").strip(),
        "objective": form.get("objective").strip() or None,
        "triggers": form.get_all("triggers"),
        "active": form.get("active") == "on",
        "apply_to_parent": form.get("apply_to_parent") == "on",
        "duplicate_policy": form.get("duplicate_policy", "allow"),
        "event_criteria": posted_criteria(form),
        "actions": actions,
    }


CONDITION_OPERATORS = [
    ("equals", "equals"),
    ("in", "is one of (comma-separated)"),
    ("greater_than", "is greater than"),
    ("less_than", "is less than"),
    ("is_set", "is set"),
    ("changed_to", "changes to"),
    ("within_days", "is a date within N days from today"),
]
_NUMBER_OPERATORS = ("greater_than", "less_than", "within_days")


def posted_criteria(form: Form) -> dict[str, Any] | None:
    """The editor's criteria rows as the API's ``event_criteria`` (rows without an attribute
    are left out; none at all: no criteria). A value is what the operator takes: a list for
    "is one of", a number for the comparisons, none for "is set"."""
    conditions = []
    for position in positions(form.pairs, "conditions"):
        field = f"conditions[{position}]"
        attribute = form.get(f"{field}.attribute").strip()
        if not attribute:
            continue
        op = form.get(f"{field}.op")
        typed = form.get(f"{field}.value").strip()
        value: Any = typed
        if op == "in":
            value = [part.strip() for part in typed.split(",") if part.strip()]
        elif op in _NUMBER_OPERATORS:
            value = _number_or_text(typed)
        elif op == "is_set":
            value = None
        conditions.append({"attribute": attribute, "op": op, "value": value})
    if not conditions:
        return None
    return {
        "match": form.get("criteria.match", "all"),
        "run_on": form.get("criteria.run_on", "enter"),
        "conditions": conditions,
    }


def _number_or_text(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def criteria_rows(criteria: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The criteria's conditions as the editor's rows (values as typed), and blank rows to
    add more: one more than there are, three at least."""
    rows = []
    for condition in (criteria or {}).get("conditions", []):
        value = condition.get("value")
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        rows.append({**condition, "value": "" if value is None else str(value)})
    blank = {"attribute": "", "op": "equals", "value": ""}
    return rows + [blank] * max(1, 3 - len(rows))


async def _editor(
    request: Request,
    admin: Principal,
    db: DatabaseDep,
    data: dict[str, Any],
    *,
    play: PlayRead | None,
    errors: dict[str, str] | None = None,
    preview_on: str = "",
    status: int = 200,
) -> Response:
    def read(s: Session) -> dict[str, Any]:
        tenant = admin.tenant_id
        forms = every_page(
            lambda limit, offset: forms_service.page_forms(s, tenant, limit=limit, offset=offset)
        )
        return {
            "flows": [(f.key, f.name) for f in flows_service.list_flows(s, tenant)],
            "roles": [r.name for r in accounts_service.list_roles(s, tenant)],
            "forms": [f.name for f in forms],
            "users": users_service.active_user_choices(s, tenant),
        }

    choices = await db.read(read)
    previews: list[PreviewedAction] = []
    preview_error = None
    if preview_on:
        try:
            spec = parse_model(PlaySpec, data, what="play")
            previews = await db.read(
                lambda s: service.preview(
                    s, admin, spec, preview_on, play.id if play is not None else None
                )
            )
        except PlayrunnerError as refused:
            preview_error = refused.message
            errors = {**field_messages(refused), **(errors or {})}
    return render(
        request,
        "plays/edit.html",
        {
            "play": play,
            "data": data,
            "errors": errors or {},
            "previews": {p.position: p for p in previews},
            "criteria": data.get("event_criteria") or {"match": "all", "run_on": "enter"},
            "condition_rows": criteria_rows(data.get("event_criteria")),
            "operators": CONDITION_OPERATORS,
            "preview_on": preview_on,
            "preview_error": preview_error,
            **choices,
        },
        status=status,
    )
