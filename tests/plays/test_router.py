"""/api/v1/successplays over real HTTP: define, read, replace, enable, disable, delete."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.factories import task_play
from tests.worlds import ApiWorld, problem

URL = "/api/v1/successplays"
TRIGGER = "/api/v2/automations/run-manual-successplay"
SERVER_FIELDS = ("id", "created_at", "updated_at")


def check_in(**overrides: Any) -> dict[str, Any]:
    """A play using every kind of reference: a flow, a form, a role, a user, the runner."""
    definition: dict[str, Any] = {
        "key": "check-in",
        "name": "Check-in",
        "objective": "Hear from the customer",
        "apply_to_parent": True,
        "actions": [
            {
                "type": "create_task",
                "title": "Call {{ account.name }}",
                "description": "Asked by {{ runner.name }}",
                "flow": "renewal",
                "priority": 3,
                "due_in_days": 2,
                "assignee": {"kind": "account_role", "role": "Success Manager"},
                "touchpoint_required": True,
            },
            {
                "type": "request_information",
                "form": "Sentiment",
                "due_in_days": 5,
                "assignee": {"kind": "runner"},
                "instructions": "How is {{ account.name }}?",
            },
        ],
    }
    return task_play(**{**definition, **overrides})


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def as_written(read: dict[str, Any]) -> dict[str, Any]:
    """What GET answered, less what the server made: a body PUT accepts."""
    return {name: value for name, value in read.items() if name not in SERVER_FIELDS}


def create(api: ApiWorld, body: dict[str, Any]) -> dict[str, Any]:
    response = api.admin.post(URL, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def trigger(api: ApiWorld, play_id: str, account_id: str = "acme") -> httpx.Response:
    return api.admin.post(TRIGGER, json={"successplayId": play_id, "accountId": account_id})


def run(api: ApiWorld, play_id: str) -> dict[str, Any]:
    """Run the play on acme through the trigger API; the run's ids."""
    response = api.admin.post(
        TRIGGER,
        json={"successplayId": play_id, "accountId": "acme"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def task_status(api: ApiWorld, task_id: str) -> str:
    status: str = api.admin.get(f"/api/v3/tasks/{task_id}").json()["status"]
    return status


def request_status(api: ApiWorld, request_id: str) -> str:
    status: str = api.admin.get(f"/api/v1/form-requests/{request_id}").json()["status"]
    return status


@pytest.fixture(autouse=True)
def references(api: ApiWorld) -> None:
    """The flow, form and account the plays here name and run on."""
    api.factory.flow(api.tenant, "renewal")
    api.factory.form(api.tenant)
    api.factory.account(api.tenant, "acme", name="Acme", success_manager=api.user_user)


# Creating and reading ----------------------------------------------------------------------


def test_a_play_reads_back_as_it_was_written(api: ApiWorld) -> None:
    body = check_in()
    created = create(api, body)

    uuid.UUID(created["id"])
    assert created["created_at"] == created["updated_at"]
    assert as_written(created) == {
        **body,
        "active": True,
        "duplicate_policy": "allow",
        "event_criteria": None,
    }
    assert api.user.get(f"{URL}/{created['id']}").json() == created


def test_defaults_are_shown_and_triggers_in_one_order(api: ApiWorld) -> None:
    created = create(
        api,
        {
            "name": "Minimal",
            "description": "d",
            "triggers": ["event", "manual"],
            "actions": [
                {"type": "create_task", "title": "t", "description": "d"},
                {
                    "type": "create_task",
                    "title": "t",
                    "description": "d",
                    "assignee": {"kind": "user", "email": f" {api.user_user.email.upper()} "},
                },
            ],
        },
    )
    default_task = {
        "type": "create_task",
        "title": "t",
        "description": "d",
        "flow": None,
        "priority": 2,
        "due_in_days": 0,
        "assignee": {"kind": "account_role", "role": "Success Manager"},
        "touchpoint_required": False,
    }
    assert as_written(created) == {
        "key": None,
        "name": "Minimal",
        "description": "d",
        "objective": None,
        "triggers": ["manual", "event"],
        "active": True,
        "apply_to_parent": False,
        "duplicate_policy": "allow",
        "event_criteria": None,
        "actions": [
            default_task,
            {**default_task, "assignee": {"kind": "user", "email": api.user_user.email}},
        ],
    }


def test_what_get_answers_can_be_put_back_unchanged(api: ApiWorld) -> None:
    created = create(api, check_in())
    read = api.admin.get(f"{URL}/{created['id']}").json()

    replaced = api.admin.put(f"{URL}/{created['id']}", json=as_written(read))

    assert replaced.status_code == 200, replaced.text
    assert replaced.json() == read
    assert api.admin.get(f"{URL}/{created['id']}").json() == read


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {
                "actions": [
                    {"type": "create_task", "title": "t", "description": "d"},
                    {"type": "webhook", "url": "https://example.com"},
                ]
            },
            "body.actions",
            "a manual SuccessPlay can only create a task or request information;"
            " action 2 has type 'webhook'",
        ),
        (
            {"actions": [{"type": "create_task", "title": "t", "description": "d", "flow": "x"}]},
            "actions[0].flow",
            "flow 'x' does not exist",
        ),
        (
            {"actions": [{"type": "request_information", "form": "Missing"}]},
            "actions[0].form",
            "form 'Missing' does not exist",
        ),
        (
            {
                "actions": [
                    {
                        "type": "create_task",
                        "title": "t",
                        "description": "d",
                        "assignee": {"kind": "account_role", "role": "Janitor"},
                    }
                ]
            },
            "actions[0].assignee",
            "account role 'Janitor' does not exist",
        ),
        (
            {
                "actions": [
                    {
                        "type": "create_task",
                        "title": "t",
                        "description": "d",
                        "assignee": {"kind": "user", "email": "ghost@example.com"},
                    }
                ]
            },
            "actions[0].assignee",
            "user 'ghost@example.com' does not exist",
        ),
        (
            {"actions": [{"type": "create_task", "title": "{{ secrets }}", "description": "d"}]},
            "actions[0].title",
            "unknown template variable secrets",
        ),
        ({"colour": "red"}, "body.colour", "Extra inputs are not permitted"),
        ({"id": str(uuid.uuid4())}, "body.id", "Extra inputs are not permitted"),
        ({"key": "no spaces"}, "body.key", "should match pattern"),
        ({"name": ""}, "body.name", "at least 1 character"),
        ({"name": "nul\x00"}, "body.name", "must not contain NUL characters"),
        ({"triggers": ["manual", "manual"]}, "body.triggers", "a trigger is listed twice"),
        ({"triggers": ["sometimes"]}, "body.triggers[0]", "'manual' or 'event'"),
        ({"actions": []}, "body.actions", "at least 1 item"),
        # JSON's own types, as the document says: no 1 for true, no true or 1.0 for 1.
        ({"active": 1}, "body.active", "valid boolean"),
        ({"apply_to_parent": "yes"}, "body.apply_to_parent", "valid boolean"),
        (
            {
                "actions": [
                    {"type": "create_task", "title": "t", "description": "d", "priority": True}
                ]
            },
            "body.actions[0].priority",
            "must be a whole number",
        ),
        (
            {
                "actions": [
                    {"type": "create_task", "title": "t", "description": "d", "due_in_days": 1.0}
                ]
            },
            "body.actions[0].due_in_days",
            "valid integer",
        ),
        (
            {
                "actions": [
                    {
                        "type": "create_task",
                        "title": "t",
                        "description": "d",
                        "touchpoint_required": 0,
                    }
                ]
            },
            "body.actions[0].touchpoint_required",
            "valid boolean",
        ),
    ],
)
def test_bad_plays_are_refused_naming_the_field(
    api: ApiWorld, change: dict[str, Any], field: str, message: str
) -> None:
    document = problem(api.admin.post(URL, json=task_play(**change)), 400)

    assert document["field"] == field
    assert message in document["detail"]
    assert api.admin.get(URL).json()["total"] == 0


def test_a_body_that_is_not_a_play_is_refused(api: ApiWorld) -> None:
    assert problem(api.admin.post(URL, content=b"not json"), 400)["field"].startswith("body")
    assert problem(api.admin.post(URL, json=[task_play()]), 400)["field"] == "body"


# Keys ----------------------------------------------------------------------------------------


def test_keys_are_unique_in_a_service(api: ApiWorld) -> None:
    create(api, check_in(key="follow-up"))
    other = create(api, check_in(key="other"))

    taken = problem(api.admin.post(URL, json=check_in(key="follow-up")), 409)
    assert (taken["field"], taken["detail"]) == (
        "key",
        "A SuccessPlay with key 'follow-up' already exists",
    )
    renamed = api.admin.put(f"{URL}/{other['id']}", json=check_in(key="follow-up"))
    assert problem(renamed, 409)["field"] == "key"
    assert api.admin.get(f"{URL}/{other['id']}").json()["key"] == "other"
    # Another service has its own keys.
    assert api.stranger.post(URL, json=task_play(key="follow-up")).status_code == 201


def test_put_can_change_or_remove_the_key(api: ApiWorld) -> None:
    created = create(api, check_in(key="first"))
    url = f"{URL}/{created['id']}"

    assert api.admin.put(url, json=check_in(key="second")).json()["key"] == "second"
    removed = api.admin.put(url, json={k: v for k, v in check_in().items() if k != "key"})
    assert removed.json()["key"] is None
    assert create(api, check_in(key="first"))["key"] == "first"


# Replacing ------------------------------------------------------------------------------------


def test_put_replaces_the_whole_definition(api: ApiWorld) -> None:
    created = create(api, check_in())
    new = check_in(
        name="Renamed",
        objective=None,
        triggers=["manual", "event"],
        active=False,
        apply_to_parent=False,
        actions=[{"type": "request_information", "form": "Sentiment"}],
    )

    response = api.admin.put(f"{URL}/{created['id']}", json=new)

    assert response.status_code == 200, response.text
    replaced = response.json()
    assert replaced["id"] == created["id"]
    assert replaced["created_at"] == created["created_at"]
    assert moment(replaced["updated_at"]) > moment(created["updated_at"])
    assert as_written(replaced)["actions"] == [
        {
            "type": "request_information",
            "form": "Sentiment",
            "due_in_days": 0,
            "assignee": {"kind": "account_role", "role": "Success Manager"},
            "instructions": "",
        }
    ]
    assert as_written(replaced) == {
        **new,
        "duplicate_policy": "allow",
        "event_criteria": None,
        "actions": as_written(replaced)["actions"],
    }


def test_changing_only_the_actions_changes_updated_at(api: ApiWorld) -> None:
    body = check_in()
    created = create(api, body)
    body["actions"][0]["priority"] = 1

    replaced = api.admin.put(f"{URL}/{created['id']}", json=body).json()

    assert replaced["actions"][0]["priority"] == 1
    assert moment(replaced["updated_at"]) > moment(created["updated_at"])
    assert api.admin.get(f"{URL}/{created['id']}").json() == replaced


def test_put_is_checked_as_create_is_and_changes_nothing_when_refused(api: ApiWorld) -> None:
    created = create(api, check_in())
    url = f"{URL}/{created['id']}"

    webhook = check_in(actions=[{"type": "webhook", "url": "https://example.com"}])
    assert problem(api.admin.put(url, json=webhook), 400)["field"] == "body.actions"
    missing = check_in(actions=[{"type": "request_information", "form": "Missing"}])
    assert problem(api.admin.put(url, json=missing), 400)["field"] == "actions[0].form"
    assert problem(api.admin.put(url, json=check_in(id=created["id"])), 400)["field"] == "body.id"
    assert api.admin.get(url).json() == created


# Listing --------------------------------------------------------------------------------------


def test_listing_filters_by_trigger_and_status_and_pages(api: ApiWorld) -> None:
    create(api, task_play(name="A manual"))
    create(api, task_play(name="B event", triggers=["event"], active=False))
    create(api, task_play(name="C both", triggers=["manual", "event"]))
    create(api, task_play(name="D manual off", active=False))

    def names(**params: Any) -> list[str]:
        response = api.user.get(URL, params=params)
        assert response.status_code == 200, response.text
        return [play["name"] for play in response.json()["items"]]

    assert names() == ["A manual", "B event", "C both", "D manual off"]
    assert names(trigger="manual") == ["A manual", "C both", "D manual off"]
    assert names(trigger="event") == ["B event", "C both"]
    assert names(status="active") == ["A manual", "C both"]
    assert names(status="inactive", trigger="manual") == ["D manual off"]
    page = api.user.get(URL, params={"limit": 2, "offset": 1}).json()
    assert (page["total"], [p["name"] for p in page["items"]]) == (4, ["B event", "C both"])
    assert page["items"][0]["actions"][0]["type"] == "create_task"
    assert problem(api.user.get(URL, params={"trigger": "webhook"}), 400)["field"] == (
        "query.trigger"
    )
    assert problem(api.user.get(URL, params={"status": "draft"}), 400)["field"] == "query.status"
    assert problem(api.user.get(URL, params={"limit": 1001}), 400)["field"] == "query.limit"


# Enabling and disabling -------------------------------------------------------------------------


def test_disabling_keeps_open_work_open_and_the_trigger_stops(api: ApiWorld) -> None:
    play = create(api, check_in())
    first = run(api, play["id"])

    disabled = api.admin.post(f"{URL}/{play['id']}/disable")

    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["active"] is False
    assert task_status(api, first["taskIds"][0]) == "not_started"
    assert request_status(api, first["formRequestIds"][0]) == "open"
    refused = trigger(api, play["id"])
    assert (refused.status_code, refused.text) == (400, "SuccessPlay not found")
    assert api.admin.get(URL, params={"status": "inactive"}).json()["total"] == 1

    enabled = api.admin.post(f"{URL}/{play['id']}/enable")

    assert enabled.json()["active"] is True
    assert trigger(api, play["id"]).text == "Success"


# Deleting --------------------------------------------------------------------------------------


def test_delete_refuses_while_the_play_has_open_work(api: ApiWorld) -> None:
    play = create(api, check_in())
    made = run(api, play["id"])
    url = f"{URL}/{play['id']}"

    for response in (api.admin.delete(url), api.admin.delete(url, params={"open_tasks": "refuse"})):
        document = problem(response, 409)
        assert document["field"] == "open_tasks"
        assert document["detail"] == (
            "SuccessPlay 'Check-in' has 1 open task and 1 open form request; delete it with"
            " open_tasks=cancel to cancel them, or complete or cancel them first"
        )
    assert problem(api.admin.delete(url, params={"open_tasks": "keep"}), 400)["field"] == (
        "query.open_tasks"
    )
    assert api.admin.get(url).status_code == 200
    assert task_status(api, made["taskIds"][0]) == "not_started"
    assert trigger(api, play["id"]).text == "Success"


def test_delete_with_cancel_cancels_open_work_and_the_play_is_gone(api: ApiWorld) -> None:
    play = create(api, check_in())
    done, still_open = run(api, play["id"]), run(api, play["id"])
    completed = api.admin.put(
        f"/api/v3/tasks/{done['taskIds'][0]}",
        json={"status": "completed", "touchpoint_note": "Called them"},
    )
    assert completed.status_code == 200, completed.text
    submitted = api.admin.post(
        f"/api/v1/form-requests/{done['formRequestIds'][0]}/submit",
        json={"answers": {"sentiment": "Green"}},
    )
    assert submitted.status_code == 200, submitted.text
    url = f"{URL}/{play['id']}"

    assert api.admin.delete(url, params={"open_tasks": "cancel"}).status_code == 204

    assert task_status(api, done["taskIds"][0]) == "completed"
    assert request_status(api, done["formRequestIds"][0]) == "submitted"
    assert task_status(api, still_open["taskIds"][0]) == "cancelled"
    assert request_status(api, still_open["formRequestIds"][0]) == "cancelled"
    for response in (
        api.admin.get(url),
        api.admin.put(url, json=check_in()),
        api.admin.post(f"{url}/enable"),
        api.admin.post(f"{url}/disable"),
        api.admin.delete(url, params={"open_tasks": "cancel"}),
    ):
        problem(response, 404)
    assert api.admin.get(URL).json()["total"] == 0
    refused = trigger(api, play["id"])
    assert (refused.status_code, refused.text) == (400, "SuccessPlay not found")
    # The history of its runs stays, and its key is free for a new play.
    assert api.admin.get(f"/api/v1/runs/{still_open['runId']}").status_code == 200
    assert create(api, check_in())["key"] == "check-in"


def test_a_play_without_open_work_is_simply_deleted(api: ApiWorld) -> None:
    play = create(api, task_play())

    assert api.admin.delete(f"{URL}/{play['id']}").status_code == 204

    problem(api.admin.get(f"{URL}/{play['id']}"), 404)


# Who may do what ------------------------------------------------------------------------------


def test_users_read_plays_but_do_not_change_them(api: ApiWorld) -> None:
    play = create(api, check_in())
    url = f"{URL}/{play['id']}"

    assert api.user.get(URL).json()["total"] == 1
    assert api.user.get(url).json() == play
    for response in (
        api.user.post(URL, json=task_play()),
        api.user.put(url, json=check_in(name="Mine")),
        api.user.post(f"{url}/enable"),
        api.user.post(f"{url}/disable"),
        api.user.delete(url, params={"open_tasks": "cancel"}),
    ):
        assert problem(response, 403)["detail"] == "User is not authorized with role: SERVICE_ADMIN"
    assert api.admin.get(url).json() == play


def test_another_service_cannot_see_or_touch_a_play(api: ApiWorld) -> None:
    play = create(api, check_in())
    url = f"{URL}/{play['id']}"

    assert api.stranger.get(URL).json()["total"] == 0
    for response in (
        api.stranger.get(url),
        api.stranger.put(url, json=task_play()),
        api.stranger.post(f"{url}/enable"),
        api.stranger.post(f"{url}/disable"),
        api.stranger.delete(url, params={"open_tasks": "cancel"}),
    ):
        assert problem(response, 404)["detail"] == f"SuccessPlay {play['id']} not found"
    assert api.admin.get(url).json() == play


@pytest.mark.parametrize(
    "play_id", ["9daf4c6b-cf90-4906-8963-5b011601f94b", "not-a-uuid", "1234", "x" * 300]
)
def test_unknown_and_malformed_ids_are_not_found(api: ApiWorld, play_id: str) -> None:
    url = f"{URL}/{play_id}"
    for response in (
        api.admin.get(url),
        api.admin.put(url, json=task_play()),
        api.admin.post(f"{url}/enable"),
        api.admin.post(f"{url}/disable"),
        api.admin.delete(url),
    ):
        assert problem(response, 404)["field"] == "play_id"


def test_every_route_is_described(api: ApiWorld) -> None:
    spec = api.user.get("/openapi.json").json()
    operations = {
        (method, path): operation
        for path, methods in spec["paths"].items()
        if path.startswith(URL)
        for method, operation in methods.items()
    }
    assert {op["operationId"] for op in operations.values()} == {
        "createSuccessPlay",
        "listSuccessPlays",
        "getSuccessPlay",
        "replaceSuccessPlay",
        "enableSuccessPlay",
        "disableSuccessPlay",
        "deleteSuccessPlay",
    }
    create_op = operations[("post", URL)]
    example = create_op["requestBody"]["content"]["application/json"]["examples"]["follow_up"]
    assert example["value"]["actions"][0]["type"] == "create_task"
    assert set(create_op["responses"]) == {"201", "400", "401", "403", "409", "429", "503"}
    for operation in operations.values():
        assert "422" not in operation["responses"]
        assert operation["description"]
