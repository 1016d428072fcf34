"""Every API call the client knows, as a ``Call``: path, parameters, body, and its reader.

``Client`` and ``AsyncClient`` expose each one as a method with the same name.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Literal, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from playrunner.client._base import Call, QueryValue, connection_retry_allowed
from playrunner.client._config import Flavor
from playrunner.client._exceptions import (
    UnexpectedResponse,
    documented_failure,
    error_from_response,
    seconds_header,
)
from playrunner.client._models import (
    Account,
    AccountUpsertResult,
    BulkRun,
    DryRun,
    FormRequest,
    Page,
    Play,
    RateLimitState,
    Run,
    RunDetail,
    Task,
    TriggerResult,
)

M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")
Id = str | uuid.UUID
AttributeFilter = Mapping[str, str | int | float | bool]

TRIGGER = "/api/v2/automations/run-manual-successplay"
_PRINTABLE_ASCII = re.compile(r"^[\x20-\x7e]{1,255}$")


# Readers ------------------------------------------------------------------------------------


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise UnexpectedResponse(
            f"Expected JSON from {response.request.url.path}, got "
            f"{response.headers.get('content-type', 'no content type')}: {response.text[:200]!r}",
            response,
        ) from None


def read_model(model: type[M]) -> Callable[[httpx.Response], M]:
    def read(response: httpx.Response) -> M:
        try:
            return model.model_validate(_json(response))
        except ValidationError as exc:
            raise UnexpectedResponse(
                f"The answer from {response.request.url.path} is not a {model.__name__}: {exc}",
                response,
            ) from None

    return read


def read_nothing(response: httpx.Response) -> None:
    return None


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _flag(response: httpx.Response, name: str) -> bool:
    value: str = response.headers.get(name, "")
    return value.strip().lower() == "true"


def rate_limit_state(headers: httpx.Headers) -> RateLimitState | None:
    limit = seconds_header(headers, "ratelimit-limit")
    remaining = seconds_header(headers, "ratelimit-remaining")
    if limit is None or remaining is None:
        return None
    reset = seconds_header(headers, "ratelimit-reset") or 0.0
    return RateLimitState(limit=int(limit), remaining=int(remaining), reset_after=reset)


def read_trigger(response: httpx.Response) -> TriggerResult:
    """``Success`` as text (Totango; Playrunner adds headers), or Playrunner's JSON."""
    headers = response.headers
    found: dict[str, Any] = {}
    message: object = response.text.strip()
    if "json" in headers.get("content-type", ""):
        message = _json(response)
        if isinstance(message, dict) and message.get("status") == "Success":
            found = message
            message = "Success"
    if message != "Success":
        if isinstance(message, str) and documented_failure(message) is not None:
            # Totango does not document its status codes: its words decide.
            raise error_from_response(response)
        raise UnexpectedResponse(
            f"The trigger answered {response.status_code} {response.text[:200]!r}, not Success",
            response,
        )
    return TriggerResult(
        run_id=_uuid(found.get("runId") or headers.get("x-run-id")),
        skipped=bool(found.get("skipped")) or _flag(response, "x-skipped"),
        replayed=_flag(response, "idempotent-replayed"),
        task_ids=tuple(filter(None, map(_uuid, found.get("taskIds") or ()))),
        form_request_ids=tuple(filter(None, map(_uuid, found.get("formRequestIds") or ()))),
        location=headers.get("location"),
        request_id=headers.get("x-request-id"),
        rate_limit=rate_limit_state(headers),
    )


def read_bulk(response: httpx.Response) -> BulkRun:
    result = read_model(BulkRun)(response)
    return result.model_copy(update={"replayed": _flag(response, "idempotent-replayed")})


# The trigger path ---------------------------------------------------------------------------


def _trigger_headers(flavor: Flavor, idempotency_key: str | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if flavor == "playrunner":
        headers["Accept"] = "application/json"
    if idempotency_key is not None:
        if not _PRINTABLE_ASCII.match(idempotency_key):
            raise ValueError("idempotency_key must be 1 to 255 printable ASCII characters")
        # Totango documents no such header: the key means something only to Playrunner.
        if flavor == "playrunner":
            headers["Idempotency-Key"] = idempotency_key
    return headers


def run_manual_successplay(
    flavor: Flavor, successplay_id: Id, account_id: str, idempotency_key: str | None
) -> Call[TriggerResult]:
    return Call(
        "POST",
        TRIGGER,
        read_trigger,
        json={"successplayId": str(successplay_id), "accountId": account_id},
        headers=_trigger_headers(flavor, idempotency_key),
        retry_on_connection_error=connection_retry_allowed("POST", idempotency_key, flavor),
        playrunner_only=False,
        name="run_manual_successplay",
    )


def dry_run(successplay_id: Id, account_id: str) -> Call[DryRun]:
    return Call(
        "POST",
        TRIGGER,
        read_model(DryRun),
        params={"dryRun": "true"},
        json={"successplayId": str(successplay_id), "accountId": account_id},
        headers={"Accept": "application/json"},
        retry_on_connection_error=True,  # writes nothing
        name="dry_run",
    )


def run_bulk(
    successplay_id: Id,
    account_ids: Sequence[str] | None,
    attributes: AttributeFilter | None,
    idempotency_key: str | None,
) -> Call[BulkRun]:
    if (account_ids is None) == (attributes is None):
        raise ValueError("pass either account_ids or attributes")
    body: dict[str, Any] = {"successplayId": str(successplay_id)}
    if account_ids is not None:
        if isinstance(account_ids, str):
            raise TypeError("account_ids must be a sequence of ids, not one string")
        body["accountIds"] = list(account_ids)
    else:
        body["filter"] = {"attributes": dict(attributes or {})}
    return Call(
        "POST",
        TRIGGER + "/bulk",
        read_bulk,
        json=body,
        headers=_trigger_headers("playrunner", idempotency_key),
        retry_on_connection_error=idempotency_key is not None,
        name="run_bulk",
    )


def get_run(run_id: Id) -> Call[RunDetail]:
    return _get(f"/api/v2/automations/runs/{_segment(run_id)}", RunDetail)


def list_runs(
    play: Id | None,
    account: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    offset: int,
) -> Call[Page[Run]]:
    return _list(
        "/api/v1/runs",
        Run,
        limit,
        offset,
        play=_str(play),
        account=account,
        since=since.isoformat() if since else None,
        until=until.isoformat() if until else None,
    )


# Accounts -----------------------------------------------------------------------------------


def list_accounts(
    parent: str | None,
    attributes: AttributeFilter | None,
    holder: str | None,
    role: str | None,
    limit: int,
    offset: int,
) -> Call[Page[Account]]:
    attribute = [f"{name}={_filter_text(v)}" for name, v in (attributes or {}).items()]
    return _list(
        "/api/v1/accounts",
        Account,
        limit,
        offset,
        parent=parent,
        attribute=attribute or None,
        holder=holder,
        role=role,
    )


def get_account(account_id: str) -> Call[Account]:
    return _get(f"/api/v1/accounts/{_segment(account_id)}", Account)


def _account_body(
    name: str,
    parent_account_id: str | None,
    attributes: Mapping[str, Any] | None,
    roles: Mapping[str, str] | None,
) -> dict[str, Any]:
    return {
        "name": name,
        "parent_account_id": parent_account_id,
        "attributes": dict(attributes or {}),
        "roles": dict(roles or {}),
    }


def create_account(
    account_id: str,
    name: str,
    parent_account_id: str | None,
    attributes: Mapping[str, Any] | None,
    roles: Mapping[str, str] | None,
) -> Call[Account]:
    body = {"account_id": account_id, **_account_body(name, parent_account_id, attributes, roles)}
    return _write("POST", "/api/v1/accounts", body, read_model(Account))


def put_account(
    account_id: str,
    name: str,
    parent_account_id: str | None,
    attributes: Mapping[str, Any] | None,
    roles: Mapping[str, str] | None,
) -> Call[Account]:
    body = _account_body(name, parent_account_id, attributes, roles)
    return _write("PUT", f"/api/v1/accounts/{_segment(account_id)}", body, read_model(Account))


def update_account(account_id: str, changes: Mapping[str, Any]) -> Call[Account]:
    path = f"/api/v1/accounts/{_segment(account_id)}"
    return _write("PATCH", path, dict(changes), read_model(Account))


def delete_account(account_id: str) -> Call[None]:
    return _write("DELETE", f"/api/v1/accounts/{_segment(account_id)}", None, read_nothing)


def upsert_accounts(accounts: Sequence[Mapping[str, Any]]) -> Call[AccountUpsertResult]:
    return _write(
        "POST",
        "/api/v1/accounts/bulk",
        {"accounts": [dict(account) for account in accounts]},
        read_model(AccountUpsertResult),
    )


# SuccessPlays -------------------------------------------------------------------------------


def list_plays(
    trigger: Literal["manual", "event"] | None,
    status: Literal["active", "inactive"] | None,
    limit: int,
    offset: int,
) -> Call[Page[Play]]:
    return _list("/api/v1/successplays", Play, limit, offset, trigger=trigger, status=status)


def get_play(play_id: Id) -> Call[Play]:
    return _get(f"/api/v1/successplays/{_segment(play_id)}", Play)


def create_play(spec: Mapping[str, Any]) -> Call[Play]:
    return _write("POST", "/api/v1/successplays", dict(spec), read_model(Play))


def replace_play(play_id: Id, spec: Mapping[str, Any]) -> Call[Play]:
    path = f"/api/v1/successplays/{_segment(play_id)}"
    return _write("PUT", path, dict(spec), read_model(Play))


def set_play_active(play_id: Id, active: bool) -> Call[Play]:
    action = "enable" if active else "disable"
    path = f"/api/v1/successplays/{_segment(play_id)}/{action}"
    return _write("POST", path, None, read_model(Play))


def delete_play(play_id: Id, open_tasks: Literal["refuse", "cancel"]) -> Call[None]:
    path = f"/api/v1/successplays/{_segment(play_id)}"
    return _write("DELETE", path, None, read_nothing, params={"open_tasks": open_tasks})


# Tasks --------------------------------------------------------------------------------------


def list_tasks(
    assignee: str | None,
    account: str | None,
    status: str | None,
    play: Id | None,
    due_before: date | None,
    limit: int,
    offset: int,
) -> Call[Page[Task]]:
    return _list(
        "/api/v3/tasks",
        Task,
        limit,
        offset,
        assignee=assignee,
        account=account,
        status=status,
        play=_str(play),
        due_before=due_before.isoformat() if due_before else None,
    )


def get_task(task_id: Id) -> Call[Task]:
    return _get(f"/api/v3/tasks/{_segment(task_id)}", Task)


def create_task(
    account_id: str,
    title: str,
    description: str,
    due_date: date | None,
    priority: int,
    assignee: str | None,
    activity_type_id: str | None,
) -> Call[Task]:
    body: dict[str, Any] = {
        "account_id": account_id,
        "title": title,
        "description": description,
        "priority": priority,
    }
    optional = {"due_date": due_date.isoformat() if due_date else None, "assignee": assignee}
    optional["activity_type_id"] = activity_type_id
    body.update({name: value for name, value in optional.items() if value is not None})
    return _write("POST", "/api/v3/tasks", body, read_model(Task), json_answer=True)


def update_task(task_id: Id, changes: Mapping[str, Any]) -> Call[Task]:
    path = f"/api/v3/tasks/{_segment(task_id)}"
    return _write("PUT", path, dict(changes), read_model(Task), json_answer=True)


def delete_task(task_id: Id) -> Call[None]:
    path = f"/api/v3/tasks/{_segment(task_id)}"
    return _write("DELETE", path, None, read_nothing, json_answer=True)


# Form requests ------------------------------------------------------------------------------


def list_form_requests(
    assignee: str | None, status: str | None, account: str | None, limit: int, offset: int
) -> Call[Page[FormRequest]]:
    return _list(
        "/api/v1/form-requests",
        FormRequest,
        limit,
        offset,
        assignee=assignee,
        status=status,
        account=account,
    )


def get_form_request(request_id: Id) -> Call[FormRequest]:
    path = f"/api/v1/form-requests/{_segment(request_id)}"
    return _get(path, FormRequest)


def submit_form_request(request_id: Id, answers: Mapping[str, Any]) -> Call[FormRequest]:
    path = f"/api/v1/form-requests/{_segment(request_id)}/submit"
    return _write("POST", path, {"answers": dict(answers)}, read_model(FormRequest))


def cancel_form_request(request_id: Id) -> Call[FormRequest]:
    path = f"/api/v1/form-requests/{_segment(request_id)}/cancel"
    return _write("POST", path, None, read_model(FormRequest))


# Building blocks ----------------------------------------------------------------------------


def _segment(value: Id) -> str:
    text = str(value)
    if not text:
        raise ValueError("an id must not be empty")
    return quote(text, safe="")


def _str(value: Id | None) -> str | None:
    return None if value is None else str(value)


def _filter_text(value: str | int | float | bool) -> str:
    return json.dumps(value) if isinstance(value, bool) else str(value)


def _get(path: str, model: type[M]) -> Call[M]:
    return Call("GET", path, read_model(model), retry_on_connection_error=True)


def _list(
    path: str, model: type[M], limit: int, offset: int, **params: QueryValue | None
) -> Call[Page[M]]:
    return Call(
        "GET",
        path,
        read_model(Page[model]),  # type: ignore[valid-type]
        params={**params, "limit": limit, "offset": offset},
        retry_on_connection_error=True,
    )


def _write(
    method: str,
    path: str,
    body: Any,
    read: Callable[[httpx.Response], R],
    *,
    params: Mapping[str, QueryValue | None] | None = None,
    json_answer: bool = False,
) -> Call[R]:
    # Totango's Tasks API answers "Success" as text unless JSON is asked for.
    headers = {"Accept": "application/json"} if json_answer else {}
    return Call(method, path, read, params=params or {}, json=body, headers=headers)
