"""/api/v1/runs over real HTTP: the history of runs, and one run with what it made."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from playrunner.models import SuccessPlay
from tests.factories import task_play
from tests.worlds import ApiWorld, problem, run_play, run_via_api

TRIGGER = "/api/v2/automations/run-manual-successplay"


def task_and_form_play() -> dict[str, Any]:
    return task_play(
        name="Check-in",
        actions=[
            {"type": "create_task", "title": "Call {{ account.name }}", "description": "d"},
            {"type": "request_information", "form": "Sentiment", "instructions": "How is it?"},
        ],
    )


@pytest.fixture
def play(api: ApiWorld) -> SuccessPlay:
    """A play making a task and a form request for the Success Manager (``api.user``)."""
    api.factory.form(api.tenant)
    top = api.factory.account(api.tenant, "acme", name="Acme", success_manager=api.user_user)
    api.factory.account(api.tenant, "acme-eu", parent=top)
    api.factory.account(api.tenant, "globex", success_manager=api.user_user)
    return api.factory.play(api.tenant, task_and_form_play())


def test_a_run_shows_what_it_made_as_it_is_now(api: ApiWorld, play: SuccessPlay) -> None:
    result = run_via_api(api, play.id, "acme")
    (task_id,), (request_id,) = result["taskIds"], result["formRequestIds"]
    api.user.put(f"/api/v3/tasks/{task_id}", json={"status": "started"})
    api.user.post(
        f"/api/v1/form-requests/{request_id}/submit", json={"answers": {"sentiment": "Red"}}
    )

    response = api.admin.get(f"/api/v1/runs/{result['runId']}")

    assert response.status_code == 200, response.text
    run = response.json()
    assert (run["id"], run["play_id"], run["play"]) == (result["runId"], str(play.id), "Check-in")
    assert (run["account_id"], run["requested_account_id"]) == ("acme", "acme")
    assert (run["runner"], run["source"]) == (api.admin_user.email, "api")
    assert run["token_id"] is not None
    assert (run["task_count"], run["form_request_count"]) == (1, 1)
    (task,) = run["tasks"]
    assert (task["id"], task["title"], task["status"]) == (task_id, "Call Acme", "started")
    assert task["assignee"] == api.user_user.email
    (request,) = run["form_requests"]
    assert (request["id"], request["status"], request["answers"]) == (
        request_id,
        "submitted",
        {"sentiment": "Red"},
    )
    assert request["fields"][0]["attribute"] == "sentiment"


def test_a_run_on_a_parent_names_both_accounts(api: ApiWorld) -> None:
    top = api.factory.account(api.tenant, "top")
    api.factory.account(api.tenant, "leaf", parent=top)
    play = api.factory.play(api.tenant, task_play(apply_to_parent=True))
    run_id = run_via_api(api, play.id, "leaf")["runId"]
    run = api.admin.get(f"/api/v1/runs/{run_id}").json()
    assert (run["account_id"], run["requested_account_id"]) == ("top", "leaf")
    assert run["tasks"][0]["account_id"] == "top"
    # Filtering by either account finds the run.
    for account in ("top", "leaf"):
        listed = api.admin.get("/api/v1/runs", params={"account": account}).json()
        assert [r["id"] for r in listed["items"]] == [run_id]


def test_runs_are_for_admins(api: ApiWorld, play: SuccessPlay) -> None:
    run_id = run_via_api(api, play.id, "acme")["runId"]
    for response in (api.user.get("/api/v1/runs"), api.user.get(f"/api/v1/runs/{run_id}")):
        assert problem(response, 403)["detail"] == "User is not authorized with role: SERVICE_ADMIN"


def test_another_service_sees_no_runs(api: ApiWorld, play: SuccessPlay) -> None:
    run_id = run_via_api(api, play.id, "acme")["runId"]
    assert problem(api.stranger.get(f"/api/v1/runs/{run_id}"), 404)["field"] == "run_id"
    assert api.stranger.get("/api/v1/runs").json()["total"] == 0
    problem(api.admin.get(f"/api/v1/runs/{uuid.uuid4()}"), 404)


def test_listing_filters_by_play_account_and_time(api: ApiWorld, play: SuccessPlay) -> None:
    other_play = api.factory.play(api.tenant, task_play(name="Other"))
    database = api.factory.database

    def at(day: int, play_id: uuid.UUID, account: str) -> str:
        with time_machine.travel(datetime(2026, 3, day, 12, tzinfo=UTC), tick=False):
            return str(run_play(database, api.admin_user, play_id, account).run.id)

    first = at(1, play.id, "acme")
    second = at(2, other_play.id, "globex")
    third = at(3, play.id, "globex")

    def ids(**params: Any) -> list[str]:
        response = api.admin.get("/api/v1/runs", params=params)
        assert response.status_code == 200, response.text
        return [r["id"] for r in response.json()["items"]]

    assert ids() == [third, second, first]
    assert ids(play=str(play.id)) == [third, first]
    assert ids(account="globex") == [third, second]
    assert ids(account="nope") == []
    assert ids(since="2026-03-02T12:00:00Z") == [third, second]
    assert ids(until="2026-03-02T12:00:00") == [first]  # no zone: UTC
    assert ids(since="2026-03-01T00:00:00+00:00", until="2026-03-03T00:00:00+00:00") == [
        second,
        first,
    ]
    assert ids(play=str(play.id), account="globex") == [third]
    page = api.admin.get("/api/v1/runs", params={"limit": 1, "offset": 1}).json()
    assert (page["total"], [r["id"] for r in page["items"]]) == (3, [second])
    listed = api.admin.get("/api/v1/runs", params={"play": str(other_play.id)}).json()["items"][0]
    assert (listed["play"], listed["runner"], listed["source"]) == (
        "Other",
        api.admin_user.email,
        "api",
    )
    assert (listed["task_count"], listed["form_request_count"]) == (1, 0)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "query.limit"),
        ({"limit": 1001}, "query.limit"),
        ({"offset": -1}, "query.offset"),
        ({"play": "not-a-uuid"}, "query.play"),
        ({"since": "yesterday"}, "query.since"),
        # A number is not a time (Pydantic alone took it for seconds since 1970).
        ({"until": "0.5"}, "query.until"),
        ({"since": "1767225600"}, "query.since"),
        ({"since": "2026-02-30T00:00:00Z"}, "query.since"),
        ({"since": "2026-03-02T00:00:00Z", "until": "2026-03-01T00:00:00Z"}, "until"),
        ({"since": "0001-01-01T00:00:00+05:00"}, "since"),
        ({"account": "ac\x00me"}, "query.account"),
    ],
)
def test_listing_bad_input_names_the_parameter(
    api: ApiWorld, params: dict[str, Any], field: str
) -> None:
    assert problem(api.admin.get("/api/v1/runs", params=params), 400)["field"] == field


def test_a_malformed_run_id_is_bad_input(api: ApiWorld) -> None:
    assert problem(api.admin.get("/api/v1/runs/42"), 404)["detail"] == "Run 42 not found"
