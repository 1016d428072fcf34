"""Beyond Totango: idempotent retries, the duplicate policy, dry runs, bulk runs, run status."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import time_machine
from sqlalchemy import func, select

from playrunner.db import Database
from playrunner.models import FormRequest, Run, RunStatus, Task
from tests.factories import Factory, task_play
from tests.faults import database_refuses
from tests.live_server import LiveServer
from tests.worlds import PATH, ServiceWorld, body, trigger

BULK = PATH + "/bulk"


@pytest.fixture
def world(factory: Factory) -> ServiceWorld:
    return ServiceWorld(factory)


def counts(database: Database) -> tuple[int, int, int]:
    with database.session(read_only=True) as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Run, Task, FormRequest)
        )


def keyed(
    http: httpx.Client, token: str, payload: Any, key: str | bytes, **headers: str
) -> httpx.Response:
    # A bytes key reaches the server as Latin-1, as a non-ASCII header would.
    sent: dict[str, Any] = {"app-token": token, "Idempotency-Key": key, **headers}
    return http.post(PATH, json=payload, headers=sent)


# Idempotency-Key ---------------------------------------------------------------------------


def test_a_retry_with_the_same_key_replays_the_first_answer_and_creates_nothing(
    http: httpx.Client, world: ServiceWorld, database: Database
) -> None:
    first = keyed(http, world.admin_token, body(world.play, "acme"), "retry-1")
    again = keyed(http, world.admin_token, body(world.play, "acme"), "retry-1")

    assert (first.status_code, first.text) == (200, "Success")
    assert (again.status_code, again.text) == (200, "Success")
    assert again.headers["x-run-id"] == first.headers["x-run-id"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert counts(database) == (1, 1, 0)
    as_json = keyed(
        http, world.admin_token, body(world.play, "acme"), "retry-1", Accept="application/json"
    )
    assert as_json.json()["runId"] == first.headers["x-run-id"]


def test_the_same_key_with_another_body_is_refused(http: httpx.Client, world: ServiceWorld) -> None:
    keyed(http, world.admin_token, body(world.play, "acme"), "k")
    other = keyed(http, world.admin_token, body(world.event_play, "acme"), "k")
    assert other.status_code == 422
    assert other.text == "Idempotency-Key was already used with a different request; use a new key"


def test_keys_belong_to_their_token(
    http: httpx.Client, world: ServiceWorld, factory: Factory, database: Database
) -> None:
    second_token = factory.token(world.admin)
    keyed(http, world.admin_token, body(world.play, "acme"), "shared")
    keyed(http, second_token, body(world.play, "acme"), "shared")
    assert counts(database)[0] == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\tkey", "na\xefve".encode("latin-1")])
def test_bad_keys_are_refused(http: httpx.Client, world: ServiceWorld, key: str | bytes) -> None:
    response = keyed(http, world.admin_token, body(world.play, "acme"), key)
    assert response.status_code == 400
    assert response.text == "Idempotency-Key must be 1 to 255 printable ASCII characters"


def test_a_key_is_free_again_after_24_hours(
    http: httpx.Client, world: ServiceWorld, database: Database
) -> None:
    first = keyed(http, world.admin_token, body(world.play, "acme"), "daily")
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=24, seconds=1)):
        later = keyed(http, world.admin_token, body(world.play, "acme"), "daily")
    assert later.headers["x-run-id"] != first.headers["x-run-id"]
    assert "idempotent-replayed" not in later.headers
    assert counts(database)[0] == 2


def test_replays_count_against_the_rate_limit(http: httpx.Client, world: ServiceWorld) -> None:
    remaining = [
        keyed(http, world.admin_token, body(world.play, "acme"), "r").headers["ratelimit-remaining"]
        for _ in range(3)
    ]
    assert remaining == ["99", "98", "97"]


def test_a_failed_call_leaves_its_key_unused(
    http: httpx.Client, world: ServiceWorld, factory: Factory, database: Database
) -> None:
    missing = keyed(http, world.admin_token, body(world.play, "later"), "k2")
    assert missing.text == "Account not found"
    factory.account(world.tenant, "later")
    retried = keyed(http, world.admin_token, body(world.play, "later"), "k2")
    assert (retried.status_code, retried.text) == (200, "Success")
    assert counts(database)[0] == 1


def test_many_simultaneous_identical_requests_make_exactly_one_run(
    server: LiveServer, world: ServiceWorld, database: Database
) -> None:
    async def fire() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
            return await asyncio.gather(
                *(
                    client.post(
                        PATH,
                        json=body(world.play, "acme"),
                        headers={
                            "app-token": world.admin_token,
                            "Idempotency-Key": "storm",
                        },
                    )
                    for _ in range(40)
                )
            )

    responses = asyncio.run(fire())

    assert {r.status_code for r in responses} == {200}
    assert len({r.headers["x-run-id"] for r in responses}) == 1
    assert sum("idempotent-replayed" in r.headers for r in responses) == 39
    assert counts(database) == (1, 1, 0)


# Duplicate policy --------------------------------------------------------------------------


def test_skip_if_open_skips_while_the_earlier_run_has_open_items(
    http: httpx.Client, world: ServiceWorld, factory: Factory, database: Database
) -> None:
    play = factory.play(world.tenant, task_play(duplicate_policy="skip_if_open"))
    first = trigger(http, world.admin_token, body(play, "acme"))
    skipped = trigger(http, world.admin_token, body(play, "acme"))
    as_json = trigger(http, world.admin_token, body(play, "acme"), accept="application/json")

    assert (skipped.status_code, skipped.text) == (200, "Success")
    assert skipped.headers["x-skipped"] == "true"
    assert skipped.headers["x-run-id"] == first.headers["x-run-id"]
    assert as_json.json() == {
        "status": "Success",
        "runId": first.headers["x-run-id"],
        "taskIds": [],
        "formRequestIds": [],
        "skipped": True,
    }
    with database.session(read_only=True) as session:
        runs = session.scalars(select(Run).order_by(Run.created_at)).all()
    assert [r.status for r in runs] == [RunStatus.COMPLETED, RunStatus.SKIPPED, RunStatus.SKIPPED]
    assert {str(r.skipped_for_run_id) for r in runs[1:]} == {first.headers["x-run-id"]}
    assert counts(database)[1] == 1

    task_id = http.get("/api/v3/tasks", headers={"app-token": world.admin_token}).json()["items"][
        0
    ]["id"]
    closed = http.put(
        f"/api/v3/tasks/{task_id}",
        json={"status": "cancelled"},
        headers={"app-token": world.admin_token},
    )
    assert closed.status_code == 200, closed.text
    reopened = trigger(http, world.admin_token, body(play, "acme"))
    assert "x-skipped" not in reopened.headers
    assert counts(database)[1] == 2


def test_allow_is_the_default_and_runs_every_time(
    http: httpx.Client, world: ServiceWorld, database: Database
) -> None:
    for _ in range(2):
        assert "x-skipped" not in trigger(http, world.admin_token, body(world.play, "acme")).headers
    assert counts(database)[0:2] == (2, 2)


# Dry runs ----------------------------------------------------------------------------------


def test_a_dry_run_shows_what_would_be_made_and_writes_nothing(
    http: httpx.Client, world: ServiceWorld, factory: Factory, database: Database
) -> None:
    factory.flow(world.tenant, "renewal")
    factory.form(world.tenant)
    play = factory.play(
        world.tenant,
        task_play(
            actions=[
                {
                    "type": "create_task",
                    "title": "Call {{ account.name }}",
                    "description": "d",
                    "flow": "renewal",
                    "priority": 1,
                    "due_in_days": 2,
                },
                {
                    "type": "request_information",
                    "form": "Sentiment",
                    "instructions": "For {{ account.name }}",
                },
            ]
        ),
    )
    with time_machine.travel(datetime(2026, 5, 1, 12, tzinfo=UTC), tick=False):
        response = http.post(
            f"{PATH}?dryRun=true", json=body(play, "acme"), headers={"app-token": world.admin_token}
        )

    assert response.status_code == 200, response.text
    assert response.json() == {
        "status": "DryRun",
        "successplayId": str(play.id),
        "account": {"accountId": "acme", "name": "Acme", "requestedAccountId": "acme"},
        "tasks": [
            {
                "title": "Call Acme",
                "description": "d",
                "assignee": world.csm.email,
                "dueDate": "2026-05-03",
                "priority": 1,
                "flow": "renewal",
                "touchpointRequired": False,
                "fallback": None,
            }
        ],
        "formRequests": [
            {
                "form": "Sentiment",
                "assignee": world.csm.email,
                "dueDate": "2026-05-01",
                "instructions": "For Acme",
                "fallback": None,
            }
        ],
        "wouldSkip": False,
        "openRunId": None,
    }
    assert counts(database) == (0, 0, 0)


def test_a_dry_run_runs_every_check(http: httpx.Client, world: ServiceWorld) -> None:
    response = http.post(
        f"{PATH}?dryRun=true",
        json=body(world.play, "nope"),
        headers={"app-token": world.admin_token},
    )
    assert (response.status_code, response.text) == (400, "Account not found")
    denied = http.post(
        f"{PATH}?dryRun=true",
        json=body(world.play, "acme"),
        headers={"app-token": world.user_token},
    )
    assert denied.status_code == 403
    bad = http.post(
        f"{PATH}?dryRun=maybe",
        json=body(world.play, "acme"),
        headers={"app-token": world.admin_token},
    )
    assert (bad.status_code, bad.text) == (400, "dryRun must be true or false")


# Bulk runs ---------------------------------------------------------------------------------


def bulk(http: httpx.Client, token: str, payload: Any, **headers: str) -> httpx.Response:
    return http.post(BULK, json=payload, headers={"app-token": token, **headers})


def test_bulk_reports_one_result_per_account_in_order(
    http: httpx.Client, world: ServiceWorld, factory: Factory, database: Database
) -> None:
    factory.account(world.tenant, "globex", success_manager=world.csm)
    response = bulk(
        http,
        world.admin_token,
        {
            "successplayId": str(world.play.id),
            "accountIds": ["globex", "ghost", "acme"],
        },
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["succeeded"], result["skipped"], result["failed"]) == (2, 0, 1)
    assert [(r["accountId"], r["status"]) for r in result["results"]] == [
        ("globex", "success"),
        ("ghost", "not_found"),
        ("acme", "success"),
    ]
    assert result["results"][1]["message"] == "Account not found"
    assert counts(database)[0:2] == (2, 2)
    run_id = result["results"][0]["runId"]
    status = http.get(
        f"/api/v2/automations/runs/{run_id}", headers={"app-token": world.admin_token}
    )
    assert status.json()["account_id"] == "globex"


def test_bulk_by_attribute_filter_and_as_one_rate_limited_call(
    http: httpx.Client, world: ServiceWorld, factory: Factory
) -> None:
    for n in range(5):
        factory.account(world.tenant, f"smb-{n}", attributes={"segment": "SMB"})
    response = bulk(
        http,
        world.admin_token,
        {
            "successplayId": str(world.play.id),
            "filter": {"attributes": {"segment": "SMB"}},
        },
    )
    assert [r["accountId"] for r in response.json()["results"]] == [f"smb-{n}" for n in range(5)]
    assert response.headers["ratelimit-remaining"] == "99"


def test_bulk_fails_whole_on_the_plays_checks(http: httpx.Client, world: ServiceWorld) -> None:
    for play, message in (
        (uuid.uuid4(), "SuccessPlay not found"),
        (world.event_play.id, "SuccessPlay is not configured as manual"),
    ):
        response = bulk(
            http, world.admin_token, {"successplayId": str(play), "accountIds": ["acme"]}
        )
        assert (response.status_code, response.json()["detail"]) == (400, message)
    denied = bulk(
        http, world.user_token, {"successplayId": str(world.play.id), "accountIds": ["acme"]}
    )
    assert denied.json()["detail"] == "User is not authorized with role: SERVICE_ADMIN"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"accountIds": ["a"]}, "successplayId"),
        ({"successplayId": "x"}, "accountIds"),
        (
            {"successplayId": "x", "accountIds": ["a"], "filter": {"attributes": {"a": "b"}}},
            "accountIds",
        ),
        ({"successplayId": "x", "accountIds": []}, "accountIds"),
        ({"successplayId": "x", "accountIds": ["a"] * 10_001}, "accountIds"),
        ({"successplayId": "x", "accountIds": [1]}, "accountIds"),
        ({"successplayId": "x", "filter": {"segment": "SMB"}}, "filter"),
        ({"successplayId": "x", "accountIds": ["a"], "colour": 1}, "colour"),
    ],
)
def test_bulk_bad_bodies_name_the_field(
    http: httpx.Client, world: ServiceWorld, payload: dict[str, Any], field: str
) -> None:
    response = bulk(http, world.admin_token, payload)
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_bulk_skips_accounts_with_open_items(
    http: httpx.Client, world: ServiceWorld, factory: Factory
) -> None:
    play = factory.play(world.tenant, task_play(duplicate_policy="skip_if_open"))
    first = trigger(http, world.admin_token, body(play, "acme"))
    factory.account(world.tenant, "fresh")
    result = bulk(
        http,
        world.admin_token,
        {
            "successplayId": str(play.id),
            "accountIds": ["acme", "fresh", "fresh"],
        },
    ).json()
    assert [(r["accountId"], r["status"]) for r in result["results"]] == [
        ("acme", "skipped"),
        ("fresh", "success"),
        ("fresh", "skipped"),
    ]
    assert result["results"][0]["runId"] == first.headers["x-run-id"]
    assert result["results"][2]["runId"] == result["results"][1]["runId"]


def test_a_database_failure_in_a_bulk_run_writes_nothing(
    http: httpx.Client, world: ServiceWorld, factory: Factory, database: Database
) -> None:
    factory.account(world.tenant, "globex")
    with database_refuses(database, "tasks"):
        response = bulk(
            http,
            world.admin_token,
            {
                "successplayId": str(world.play.id),
                "accountIds": ["acme", "globex"],
            },
        )
    assert response.status_code == 500
    assert counts(database) == (0, 0, 0)


def test_bulk_honours_idempotency_keys(
    http: httpx.Client, world: ServiceWorld, database: Database
) -> None:
    payload = {"successplayId": str(world.play.id), "accountIds": ["acme", "nobody"]}
    first = bulk(http, world.admin_token, payload, **{"Idempotency-Key": "b1"})
    again = bulk(http, world.admin_token, payload, **{"Idempotency-Key": "b1"})
    assert again.content == first.content  # byte for byte (PostgreSQL's JSONB reorders keys)
    assert again.headers["idempotent-replayed"] == "true"
    assert counts(database)[0] == 1


def test_a_json_replay_is_byte_identical_to_the_first_answer(
    http: httpx.Client, world: ServiceWorld
) -> None:
    json = {"Accept": "application/json"}
    first = keyed(http, world.admin_token, body(world.play, "acme"), "j1", **json)
    again = keyed(http, world.admin_token, body(world.play, "acme"), "j1", **json)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"


# Run status --------------------------------------------------------------------------------


def test_location_points_at_the_runs_status(
    http: httpx.Client, world: ServiceWorld, factory: Factory
) -> None:
    response = trigger(http, world.admin_token, body(world.play, "acme"))
    location = response.headers["location"]
    assert location == f"/api/v2/automations/runs/{response.headers['x-run-id']}"

    status = http.get(location, headers={"app-token": world.admin_token})

    assert status.status_code == 200
    run = status.json()
    assert (run["id"], run["status"], run["account_id"]) == (
        response.headers["x-run-id"],
        "completed",
        "acme",
    )
    assert [t["status"] for t in run["tasks"]] == ["not_started"]
    assert http.get(location, headers={"app-token": world.user_token}).status_code == 403
    stranger = factory.token(factory.admin(factory.tenant()))
    assert http.get(location, headers={"app-token": stranger}).status_code == 404
    missing = http.get(
        "/api/v2/automations/runs/not-a-run", headers={"app-token": world.admin_token}
    )
    assert missing.status_code == 404
