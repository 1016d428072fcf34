"""/api/v3/tasks over real HTTP: Totango's Tasks API (text answers), listing and reading."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from playrunner.users import service as users_service
from tests.factories import task_play
from tests.worlds import ApiWorld, problem, run_via_api

JSON = {"Accept": "application/json"}
NOT_ADMIN = "User is not authorized with role: SERVICE_ADMIN"


def text(response: httpx.Response, status: int) -> str:
    """Assert a Totango-style answer: this status, the bare text; return the text."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    return response.text


def touchpoint_play() -> dict[str, Any]:
    """One task for the account's Success Manager that needs a touchpoint to complete."""
    return task_play(
        actions=[
            {
                "type": "create_task",
                "title": "Call {{ account.name }}",
                "description": "d",
                "touchpoint_required": True,
            }
        ]
    )


@pytest.fixture
def world(api: ApiWorld) -> ApiWorld:
    """``acme``, whose Success Manager is ``api.user``, and ``globex``, with none."""
    api.factory.account(api.tenant, "acme", name="Acme", success_manager=api.user_user)
    api.factory.account(api.tenant, "globex", name="Globex")
    api.factory.flow(api.tenant, "renewal")
    return api


def create(api: ApiWorld, **fields: Any) -> str:
    """Create a task as the admin; return its id."""
    response = api.admin.post("/api/v3/tasks", json={"title": "t", "account_id": "acme", **fields})
    assert text(response, 200) == "Success"
    return response.headers["x-task-id"]


def test_create_answers_success_and_the_task_is_there(world: ApiWorld) -> None:
    response = world.admin.post(
        "/api/v3/tasks",
        json={
            "title": " Renewal call ",
            "description": "Talk about seats",
            "due_date": "2026-03-31",
            "priority": 1,
            "status": "open",
            "account_id": "acme",
            "assignee": world.user_user.email.upper(),
            "activity_type_id": "renewal",
        },
    )
    assert text(response, 200) == "Success"
    task = world.admin.get(f"/api/v3/tasks/{response.headers['x-task-id']}").json()
    assert {k: task[k] for k in ("title", "description", "due_date", "priority", "status")} == {
        "title": "Renewal call",
        "description": "Talk about seats",
        "due_date": "2026-03-31",
        "priority": 1,
        "status": "not_started",
    }
    assert (task["account_id"], task["assignee"], task["flow"]) == (
        "acme",
        world.user_user.email,
        "renewal",
    )
    assert (task["run_id"], task["play_id"], task["touchpoint_required"]) == (None, None, False)


def test_create_answers_the_task_as_json_to_clients_that_ask(world: ApiWorld) -> None:
    response = world.admin.post(
        "/api/v3/tasks",
        json={
            "title": "t",
            "account_id": "globex",
            "status": "closed",
            "assignee": str(world.user_user.id),
        },
        headers=JSON,
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    task = response.json()
    assert task["id"] == response.headers["x-task-id"]
    assert (task["status"], task["assignee"], task["priority"]) == (
        "completed",
        world.user_user.email,
        2,
    )
    assert task["completed_at"] is not None
    # Without an assignee, the task is the caller's.
    mine = world.admin.post(
        "/api/v3/tasks", json={"title": "t", "account_id": "acme"}, headers=JSON
    )
    assert mine.json()["assignee"] == world.admin_user.email


def test_unknown_account_is_totangos_400(world: ApiWorld) -> None:
    body = {"title": "t", "account_id": "nope"}
    assert text(world.admin.post("/api/v3/tasks", json=body), 400) == "Account not found"
    document = problem(world.admin.post("/api/v3/tasks", json=body, headers=JSON), 400)
    assert (document["detail"], document["field"]) == ("Account not found", "account_id")


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"account_id": "acme"}, "title", "title: Field required"),
        ({"title": "   ", "account_id": "acme"}, "title", "title: must not be blank"),
        ({"title": "t"}, "account_id", "account_id: Field required"),
        ({"title": "t", "account_id": "acme", "due_date": "31/03/2026"}, "due_date", "YYYY-MM-DD"),
        ({"title": "t", "account_id": "acme", "due_date": 1767225600}, "due_date", "YYYY-MM-DD"),
        ({"title": "t", "account_id": "acme", "due_date": "2026-02-30"}, "due_date", "calendar"),
        ({"title": "t", "account_id": "acme", "priority": 4}, "priority", "less than or equal"),
        ({"title": "t", "account_id": "acme", "priority": "1"}, "priority", "valid integer"),
        ({"title": "t", "account_id": "acme", "status": "done"}, "status", "Input should be"),
        ({"title": "t", "account_id": "acme", "colour": "red"}, "colour", "Extra inputs"),
        (
            {"title": "t", "account_id": "acme", "assignee": "ghost@example.com"},
            "assignee",
            "not found",
        ),
        (
            {"title": "t", "account_id": "acme", "activity_type_id": "nope"},
            "activity_type_id",
            "not found",
        ),
        ({"title": "a\x00b", "account_id": "acme"}, "title", "NUL characters"),
        ({"title": "t" * 2001, "account_id": "acme"}, "title", "at most 2000 characters"),
        ({"title": "t", "account_id": "a" * 256}, "account_id", "at most 255 characters"),
        (["not", "an", "object"], "body", "valid dictionary"),
    ],
)
def test_bad_input_names_the_field(world: ApiWorld, body: Any, field: str, message: str) -> None:
    assert message in text(world.admin.post("/api/v3/tasks", json=body), 400)
    document = problem(world.admin.post("/api/v3/tasks", json=body, headers=JSON), 400)
    assert document["field"] == field
    assert message in document["detail"]


def test_a_body_that_is_not_json_is_refused(world: ApiWorld) -> None:
    for raw in (b"", b"{title: t}"):
        response = world.admin.post(
            "/api/v3/tasks", content=raw, headers={"Content-Type": "application/json"}
        )
        assert "Request body" in text(response, 400)


def test_a_deactivated_assignee_is_refused(world: ApiWorld) -> None:
    idle = world.factory.user(world.tenant)
    with world.factory.database.session() as session:
        users_service.set_active(session, world.tenant.id, idle.email, False)
    body = {"title": "t", "account_id": "acme", "assignee": idle.email}
    assert "is deactivated" in text(world.admin.post("/api/v3/tasks", json=body), 400)


def test_regular_users_may_not_create_or_delete(world: ApiWorld) -> None:
    task_id = create(world, assignee=world.user_user.email)
    body = {"title": "mine", "account_id": "acme"}
    assert text(world.user.post("/api/v3/tasks", json=body), 403) == NOT_ADMIN
    assert text(world.user.delete(f"/api/v3/tasks/{task_id}"), 403) == NOT_ADMIN
    assert problem(world.user.post("/api/v3/tasks", json=body, headers=JSON), 403)["detail"] == (
        NOT_ADMIN
    )
    assert world.user.get(f"/api/v3/tasks/{task_id}").status_code == 200


def test_another_service_sees_nothing(world: ApiWorld) -> None:
    task_id = create(world)
    problem(world.stranger.get(f"/api/v3/tasks/{task_id}"), 404)
    assert "not found" in text(
        world.stranger.put(f"/api/v3/tasks/{task_id}", json={"title": "mine"}), 404
    )
    assert "not found" in text(world.stranger.delete(f"/api/v3/tasks/{task_id}"), 404)
    assert world.stranger.get("/api/v3/tasks").json()["total"] == 0
    # Their account ids are not ours: Totango's answer for an unknown account.
    body = {"title": "t", "account_id": "acme"}
    assert text(world.stranger.post("/api/v3/tasks", json=body), 400) == "Account not found"
    assert world.admin.get(f"/api/v3/tasks/{task_id}").json()["title"] == "t"


def test_users_see_and_work_on_only_their_own_tasks(world: ApiWorld) -> None:
    play = world.factory.play(world.tenant)
    (mine,) = run_via_api(world, play.id, "acme")["taskIds"]
    (theirs,) = run_via_api(world, play.id, "globex")["taskIds"]  # no CSM: the admin's

    listed = world.user.get("/api/v3/tasks").json()
    assert (listed["total"], [t["id"] for t in listed["items"]]) == (1, [mine])
    assert world.admin.get("/api/v3/tasks").json()["total"] == 2
    problem(world.user.get(f"/api/v3/tasks/{theirs}"), 404)
    assert "not found" in text(
        world.user.put(f"/api/v3/tasks/{theirs}", json={"status": "started"}), 404
    )

    assert text(world.user.put(f"/api/v3/tasks/{mine}", json={"status": "started"}), 200) == (
        "Success"
    )
    assert world.user.get(f"/api/v3/tasks/{mine}").json()["status"] == "started"
    refused = world.user.put(
        f"/api/v3/tasks/{mine}", json={"status": "completed", "assignee": world.admin_user.email}
    )
    assert text(refused, 403).startswith("Only an admin may change assignee")
    document = problem(
        world.user.put(f"/api/v3/tasks/{mine}", json={"title": "x"}, headers=JSON), 403
    )
    assert document["field"] == "title"
    assert world.user.get(f"/api/v3/tasks/{mine}").json()["status"] == "started"


def test_completing_needs_the_touchpoint_the_play_requires(world: ApiWorld) -> None:
    play = world.factory.play(world.tenant, touchpoint_play())
    (task_id,) = run_via_api(world, play.id, "acme")["taskIds"]
    url = f"/api/v3/tasks/{task_id}"

    assert text(world.user.put(url, json={"status": "completed"}), 400) == (
        "This task requires a touchpoint note when it is completed"
    )
    document = problem(
        world.user.put(url, json={"status": "closed", "touchpoint_note": "  "}, headers=JSON), 400
    )
    assert document["field"] == "touchpoint_note"
    assert world.user.get(url).json()["status"] == "not_started"

    done = world.user.put(
        url, json={"status": "completed", "touchpoint_note": "Called the CFO"}, headers=JSON
    )
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["touchpoint_note"]) == (
        "completed",
        "Called the CFO",
    )
    assert done.json()["completed_at"] is not None
    # Completed tasks do not move, and keep the note the play asked for.
    assert text(world.user.put(url, json={"status": "started"}), 409) == "Task is already Completed"
    assert text(world.admin.put(url, json={"status": "open"}), 409) == "Task is already Completed"
    assert "touchpoint" in text(world.user.put(url, json={"touchpoint_note": None}), 400)
    assert text(
        world.user.put(url, json={"status": "closed", "touchpoint_note": "Sent notes"}), 200
    )
    assert world.user.get(url).json()["touchpoint_note"] == "Sent notes"


def test_a_note_recorded_earlier_counts_when_completing(world: ApiWorld) -> None:
    play = world.factory.play(world.tenant, touchpoint_play())
    (task_id,) = run_via_api(world, play.id, "acme")["taskIds"]
    url = f"/api/v3/tasks/{task_id}"
    world.user.put(url, json={"status": "started", "touchpoint_note": "Left a voicemail"})
    assert world.user.get(url).json()["touchpoint_note"] == "Left a voicemail"
    # Totango's legacy "open" leaves an open task as it is.
    world.user.put(url, json={"status": "open"})
    assert world.user.get(url).json()["status"] == "started"
    assert text(world.user.put(url, json={"status": "closed"}), 200) == "Success"
    task = world.user.get(url).json()
    assert (task["status"], task["touchpoint_note"]) == ("completed", "Left a voicemail")


def test_admins_change_any_field(world: ApiWorld) -> None:
    task_id = create(world, due_date="2026-03-01", activity_type_id="renewal")
    url = f"/api/v3/tasks/{task_id}"
    changed = world.admin.put(
        url,
        json={
            "title": "New title",
            "description": "New description",
            "account_id": "globex",
            "due_date": None,
            "priority": 3,
            "assignee": world.user_user.email,
            "activity_type_id": None,
            "status": "cancelled",
        },
        headers=JSON,
    )
    assert changed.status_code == 200, changed.text
    task = changed.json()
    assert task["title"] == "New title"
    assert (task["account_id"], task["due_date"], task["priority"]) == ("globex", None, 3)
    assert (task["assignee"], task["flow"], task["status"]) == (
        world.user_user.email,
        None,
        "cancelled",
    )
    # The new assignee now sees it; cancelled tasks do not move.
    assert world.user.get(url).status_code == 200
    assert text(world.admin.put(url, json={"status": "completed"}), 409) == (
        "Task is already Cancelled"
    )


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"account_id": "nope"}, "account_id", "Account not found"),
        ({"title": None}, "title", "title: must not be null"),
        ({"status": None}, "status", "status: must not be null"),
        ({"priority": 0}, "priority", "greater than or equal"),
        ({"due_date": "tomorrow"}, "due_date", "YYYY-MM-DD"),
        ({"assignee": "ghost@example.com"}, "assignee", "not found"),
        ({"touchpoint_note": 5}, "touchpoint_note", "valid string"),
        ({"touchpoint_note": "n" * 20001}, "touchpoint_note", "at most 20000 characters"),
        ({"id": "x"}, "id", "Extra inputs"),
    ],
)
def test_update_bad_input_names_the_field(
    world: ApiWorld, body: dict[str, Any], field: str, message: str
) -> None:
    url = f"/api/v3/tasks/{create(world)}"
    assert message in text(world.admin.put(url, json=body), 400)
    document = problem(world.admin.put(url, json=body, headers=JSON), 400)
    assert (document["field"], message in document["detail"]) == (field, True)


def test_delete(world: ApiWorld) -> None:
    task_id = create(world)
    response = world.admin.delete(f"/api/v3/tasks/{task_id}")
    assert (text(response, 200), response.headers["x-task-id"]) == ("Success", task_id)
    problem(world.admin.get(f"/api/v3/tasks/{task_id}"), 404)
    assert text(world.admin.delete(f"/api/v3/tasks/{task_id}"), 404) == f"Task {task_id} not found"
    other = create(world)
    answer = world.admin.delete(f"/api/v3/tasks/{other}", headers=JSON)
    assert answer.json() == {"status": "Success", "id": other}


def test_malformed_task_ids_are_not_found(world: ApiWorld) -> None:
    # One answer on every route for an id that cannot be one: that task is not found.
    assert text(world.admin.delete("/api/v3/tasks/42"), 404) == "Task 42 not found"
    assert problem(world.admin.put("/api/v3/tasks/42", json={}, headers=JSON), 404)["field"] == (
        "task_id"
    )
    assert problem(world.admin.get("/api/v3/tasks/42"), 404)["detail"] == "Task 42 not found"


def test_listing_filters_and_pages(world: ApiWorld) -> None:
    play = world.factory.play(world.tenant)
    (from_play,) = run_via_api(world, play.id, "acme")["taskIds"]
    early = create(world, account_id="globex", due_date="2026-01-10", status="started")
    late = create(world, account_id="globex", due_date="2026-06-10", status="completed")
    undated = create(world, assignee=world.user_user.email, status="cancelled")

    def ids(**params: Any) -> list[str]:
        response = world.admin.get("/api/v3/tasks", params=params)
        assert response.status_code == 200, response.text
        return [t["id"] for t in response.json()["items"]]

    assert ids() == [undated, late, early, from_play]
    assert ids(assignee=world.user_user.email.upper()) == [undated, from_play]
    assert ids(assignee="nobody@example.com") == []
    assert ids(account="globex") == [late, early]
    assert ids(account="nope") == []
    assert ids(status="open") == [early, from_play]
    assert ids(status="closed") == [undated, late]
    assert ids(status="not_started") == [from_play]
    assert ids(play=str(play.id)) == [from_play]
    assert ids(due_before="2026-02-01") == [early]
    assert ids(account="globex", status="completed") == [late]
    page = world.admin.get("/api/v3/tasks", params={"limit": 2, "offset": 1}).json()
    assert (page["total"], [t["id"] for t in page["items"]]) == (4, [late, early])
    # A regular user's filters apply within their own tasks.
    mine = world.user.get("/api/v3/tasks", params={"status": "open"}).json()
    assert [t["id"] for t in mine["items"]] == [from_play]
    assert world.user.get("/api/v3/tasks", params={"account": "globex"}).json()["total"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 1001}, "query.limit"),
        ({"status": "done"}, "query.status"),
        ({"play": "not-a-uuid"}, "query.play"),
        ({"due_before": "soon"}, "query.due_before"),
        ({"due_before": "1767225600"}, "query.due_before"),
        ({"account": "ac\x00me"}, "query.account"),
    ],
)
def test_listing_bad_input_names_the_parameter(
    world: ApiWorld, params: dict[str, Any], field: str
) -> None:
    assert problem(world.admin.get("/api/v3/tasks", params=params), 400)["field"] == field


def test_the_tasks_api_is_described(world: ApiWorld) -> None:
    spec = world.admin.get("/openapi.json").json()
    create_op = spec["paths"]["/api/v3/tasks"]["post"]
    assert create_op["operationId"] == "createTask"
    assert create_op["responses"]["200"]["content"]["text/plain"]["example"] == "Success"
    assert "X-Task-Id" in create_op["responses"]["200"]["headers"]
    body = create_op["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["title", "account_id"]
    operations = {
        op["operationId"]
        for path, item in spec["paths"].items()
        if path.startswith("/api/v3/tasks")
        for op in item.values()
    }
    assert operations == {"listTasks", "getTask", "createTask", "updateTask", "deleteTask"}
