"""Event sources in the admin console: create one (its secret shown once), add and remove its
rules, try them on a sample event (nothing is written), and see what came of each event
received. The same services and checks as the API."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from starlette.responses import Response

from playrunner.api.dependencies import DatabaseDep
from playrunner.api.paths import RuleId, SourceId
from playrunner.api.state import app_state
from playrunner.auth.principal import Principal
from playrunner.errors import InvalidRequest, PlayrunnerError
from playrunner.inbound import service
from playrunner.inbound.schemas import (
    RuleTestResult,
    RuleWrite,
    SourceCreate,
    SourceCreated,
    SourceRead,
)
from playrunner.pagination import MAX_PAGE_SIZE
from playrunner.plays import service as plays_service
from playrunner.ui.errors import field_messages, refusal_status
from playrunner.ui.pages import redirect, render
from playrunner.ui.routes import pages_router
from playrunner.ui.session import CurrentAdmin, PostedForm
from playrunner.validation import parse_model

router = pages_router()
ACTIONS = [("run_play", "Run a manual play on the account"), ("set_attributes", "Set attributes")]
SAMPLE = {
    "type": "job_change",
    "data": {"person": {"name": "Ada", "title": "CTO"}, "company": {"id": "acme"}},
}
NO_RULE: dict[str, Any] = {
    "name": "",
    "match": "type = job_change",
    "account_path": "data.company.id",
    "action": "run_play",
    "attributes": "",
    "play": "",
}


@router.get("/event-sources")
async def sources_page(request: Request, admin: CurrentAdmin, db: DatabaseDep) -> Response:
    return await _list(request, admin, db)


@router.post("/event-sources")
async def create_source(
    request: Request, admin: CurrentAdmin, form: PostedForm, db: DatabaseDep
) -> Response:
    typed = {"name": form.get("name").strip(), "description": form.get("description").strip()}
    settings = app_state(request).settings
    try:
        spec = parse_model(SourceCreate, typed, what="event source")
        created = await db.write(lambda s: service.create_source(s, admin, spec, settings))
    except PlayrunnerError as refused:
        errors = field_messages(refused)
        return await _list(request, admin, db, errors, typed, refusal_status(refused))
    return await _source(request, admin, db, created, done="Event source created.")


@router.get("/event-sources/{source_id}")
async def source_page(
    request: Request, admin: CurrentAdmin, source_id: SourceId, db: DatabaseDep
) -> Response:
    source = await db.read(lambda s: service.source_read(service.get_source(s, admin, source_id)))
    return await _source(request, admin, db, source)


@router.post("/event-sources/{source_id}")
async def change_source(
    request: Request, admin: CurrentAdmin, source_id: SourceId, form: PostedForm, db: DatabaseDep
) -> Response:
    """Rotate the secret, or delete the source."""
    action = form.get("do")
    settings = app_state(request).settings
    if action == "delete":
        await db.write(lambda s: service.delete_source(s, admin, source_id, settings))
        return redirect("/event-sources")
    if action != "rotate":
        raise InvalidRequest("Choose what to change", field="do")
    rotated = await db.write(lambda s: service.rotate_secret(s, admin, source_id, settings))
    done = "A new signing secret and token; the old ones are refused."
    return await _source(request, admin, db, rotated, done=done)


@router.post("/event-sources/{source_id}/rules")
async def add_rule(
    request: Request, admin: CurrentAdmin, source_id: SourceId, form: PostedForm, db: DatabaseDep
) -> Response:
    typed = {name: form.get(name) for name in NO_RULE}
    try:
        spec = parse_model(RuleWrite, _rule_body(typed), what="rule")
        await db.write(lambda s: service.add_rule(s, admin, source_id, spec))
    except PlayrunnerError as refused:
        source = await db.read(
            lambda s: service.source_read(service.get_source(s, admin, source_id))
        )
        return await _source(
            request,
            admin,
            db,
            source,
            errors=field_messages(refused),
            typed=typed,
            status=refusal_status(refused),
        )
    return redirect(f"/event-sources/{source_id}?added=1")


@router.post("/event-sources/{source_id}/rules/{rule_id}")
async def delete_rule(
    request: Request,
    admin: CurrentAdmin,
    source_id: SourceId,
    rule_id: RuleId,
    form: PostedForm,  # the CSRF token is checked with the form
    db: DatabaseDep,
) -> Response:
    await db.write(lambda s: service.delete_rule(s, admin, source_id, rule_id))
    return redirect(f"/event-sources/{source_id}")


@router.post("/event-sources/{source_id}/test")
async def test_rules(
    request: Request, admin: CurrentAdmin, source_id: SourceId, form: PostedForm, db: DatabaseDep
) -> Response:
    """Try the rules on a sample event: what would happen, nothing written."""
    sample = form.get("payload")
    source = await db.read(lambda s: service.source_read(service.get_source(s, admin, source_id)))
    try:
        payload = json.loads(sample)
        if not isinstance(payload, dict):
            raise ValueError
    except ValueError:
        errors = {"payload": "The sample event must be a JSON object"}
        return await _source(request, admin, db, source, errors=errors, sample=sample, status=400)
    result = await db.read(lambda s: service.test_rules(s, admin, source_id, payload))
    return await _source(request, admin, db, source, sample=sample, result=result)


def _rule_body(typed: dict[str, str]) -> dict[str, Any]:
    """The rule form's fields as the API's body: "path = value" lines for ``match`` (a value
    read as JSON when it is JSON: true, 3, "x"), "attribute = path" lines for attributes."""
    action = typed["action"]
    body: dict[str, Any] = {
        "name": typed["name"].strip(),
        "match": {path: _value(value) for path, value in _pairs(typed["match"], "match")},
        "account_path": typed["account_path"].strip(),
        "action": action,
    }
    if action == "set_attributes":
        body["attributes"] = dict(_pairs(typed["attributes"], "attributes"))
    if action == "run_play":
        body["play"] = typed["play"].strip() or None
    return body


def _pairs(text: str, field: str) -> list[tuple[str, str]]:
    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if "=" not in line:
            raise InvalidRequest(f"Line {number} must read: left = right", field=field)
        left, right = line.split("=", 1)
        pairs.append((left.strip(), right.strip()))
    return pairs


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


async def _source(
    request: Request,
    admin: Principal,
    db: DatabaseDep,
    source: SourceRead,
    *,
    done: str | None = None,
    errors: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
    sample: str | None = None,
    result: RuleTestResult | None = None,
    status: int = 200,
) -> Response:
    source_id = source.id

    def read(s: Any) -> tuple[Any, Any, Any]:
        rules = service.list_rules(s, admin, source_id)
        events = service.list_events(s, admin, source_id)
        plays, _ = plays_service.page_plays(
            s, admin.tenant_id, trigger="manual", active=True, limit=MAX_PAGE_SIZE, offset=0
        )
        return rules, events, plays

    rules, events, plays = await db.read(read)
    added = request.query_params.get("added")
    return render(
        request,
        "inbound/source.html",
        {
            "source": source,
            "secret": source.secret if isinstance(source, SourceCreated) else None,
            "token": source.token if isinstance(source, SourceCreated) else None,
            "rules": rules,
            "events": events,
            "plays": [(str(p.id), p.name) for p in plays],
            "actions": ACTIONS,
            "done": done or ("Rule added." if added else None),
            "errors": errors or {},
            "typed": typed or NO_RULE,
            "sample": sample or json.dumps(SAMPLE, indent=2),
            "result": result,
            "events_url": f"{request.base_url}".rstrip("/") + source.events_url,
        },
        status=status,
    )


async def _list(
    request: Request,
    admin: Principal,
    db: DatabaseDep,
    errors: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    sources = await db.read(lambda s: service.list_sources(s, admin))
    return render(
        request,
        "inbound/sources.html",
        {
            "sources": sources,
            "errors": errors or {},
            "typed": typed or {"name": "", "description": ""},
        },
        status=status,
    )
