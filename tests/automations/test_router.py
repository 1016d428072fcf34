"""The trigger API over real HTTP: Totango's bytes, check order and tenant isolation."""

from __future__ import annotations

import uuid

import httpx
import pytest

from playrunner.auth.principal import operator
from playrunner.db import Database
from playrunner.models import Task
from playrunner.tasks.repository import TaskFilter
from playrunner.tasks.service import page_tasks
from tests.factories import Factory
from tests.worlds import PATH, ServiceWorld, body, trigger


def test_success_answers_plain_text_and_commits_the_run(
    http: httpx.Client, world: ServiceWorld, database: Database
) -> None:
    response = trigger(http, world.admin_token, body(world.play, "acme"))

    assert response.status_code == 200
    assert response.content == b"Success"
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    run_id = uuid.UUID(response.headers["x-run-id"])
    assert response.headers["x-request-id"]
    assert response.headers["ratelimit-limit"] == "100"
    assert response.headers["ratelimit-remaining"] == "99"
    with database.session() as session:
        tasks, _ = page_tasks(session, operator(world.tenant.id), TaskFilter(run_id=run_id))
    assert [t.title for t in tasks] == ["Follow up with Acme"]
    assert tasks[0].assignee == world.csm.email
    assert tasks[0].priority == 1


def test_json_clients_get_run_and_item_ids(
    http: httpx.Client, world: ServiceWorld, database: Database
) -> None:
    response = trigger(http, world.admin_token, body(world.play, "acme"), accept="application/json")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    result = response.json()
    assert result["status"] == "Success"
    assert result["runId"] == response.headers["x-run-id"]
    assert result["formRequestIds"] == []
    with database.session() as session:
        stored = session.get(Task, uuid.UUID(result["taskIds"][0]))
        assert stored is not None
        assert str(stored.run_id) == result["runId"]


def test_the_seed_body_with_spaces_and_newlines_is_accepted(
    http: httpx.Client, world: ServiceWorld
) -> None:
    raw = f'{{\n"successplayId": "{world.play.id}",\n"accountId": "acme"\n}}'.encode()
    response = trigger(http, world.admin_token, None, raw=raw)
    assert (response.status_code, response.text) == (200, "Success")


def test_bearer_authorization_is_accepted_too(http: httpx.Client, world: ServiceWorld) -> None:
    response = http.post(
        PATH,
        json=body(world.play, "acme"),
        headers={"Authorization": f"Bearer {world.admin_token}"},
    )
    assert (response.status_code, response.text) == (200, "Success")


@pytest.mark.parametrize(
    ("case", "status", "message"),
    [
        ("non_admin", 403, "User is not authorized with role: SERVICE_ADMIN"),
        ("unknown_play", 400, "SuccessPlay not found"),
        ("not_a_uuid", 400, "SuccessPlay not found"),
        ("inactive_play", 400, "SuccessPlay not found"),
        ("event_only_play", 400, "SuccessPlay is not configured as manual"),
        ("unknown_account", 400, "Account not found"),
    ],
)
def test_documented_failures_answer_the_exact_message_as_text(
    http: httpx.Client, world: ServiceWorld, case: str, status: int, message: str
) -> None:
    token, payload = {
        "non_admin": (world.user_token, body(world.play, "acme")),
        "unknown_play": (world.admin_token, body(uuid.uuid4(), "acme")),
        "not_a_uuid": (world.admin_token, {"successplayId": "nope", "accountId": "acme"}),
        "inactive_play": (world.admin_token, body(world.inactive_play, "acme")),
        "event_only_play": (world.admin_token, body(world.event_play, "acme")),
        "unknown_account": (world.admin_token, body(world.play, "no-such-account")),
    }[case]

    response = trigger(http, token, payload)

    assert response.status_code == status
    assert response.text == message
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert "x-run-id" not in response.headers


def test_json_clients_get_problem_details_with_the_same_message(
    http: httpx.Client, world: ServiceWorld
) -> None:
    response = trigger(http, world.admin_token, body(world.play, "nope"), accept="application/json")

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["detail"] == "Account not found"
    assert problem["status"] == 400
    assert problem["field"] == "accountId"
    assert problem["type"].endswith("account_not_found")
    assert problem["request_id"] == response.headers["x-request-id"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"accountId": "acme"}', "successplayId is required"),
        (b'{"successplayId": "x"}', "accountId is required"),
        (b'{"successplayId": "", "accountId": "acme"}', "successplayId must not be empty"),
        (b'{"successplayId": "x", "accountId": 42}', "accountId must be a string"),
        (b"{}", "successplayId is required; accountId is required"),
        (b'["a", "b"]', "Request body must be a JSON object with successplayId and accountId"),
        (b"", "Request body must be a JSON object with successplayId and accountId"),
    ],
)
def test_bad_bodies_get_400_naming_the_field(
    http: httpx.Client, world: ServiceWorld, raw: bytes, message: str
) -> None:
    response = trigger(http, world.admin_token, None, raw=raw)
    assert response.status_code == 400
    assert response.text == message


def test_invalid_json_gets_400_not_500(http: httpx.Client, world: ServiceWorld) -> None:
    response = trigger(http, world.admin_token, None, raw=b"{successplayId:")
    assert response.status_code == 400
    assert response.text.startswith("Request body is not valid JSON")


class TestCheckOrder:
    """Each check wins over every later one."""

    def test_missing_token_before_everything(self, http: httpx.Client) -> None:
        response = trigger(http, None, None, raw=b"not json")
        assert response.status_code == 401
        assert "app-token" in response.text
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert "ratelimit-limit" not in response.headers

    def test_unknown_token_before_everything(self, http: httpx.Client) -> None:
        response = trigger(http, "prpat_made_up", None, raw=b"not json")
        assert (response.status_code, response.text) == (401, "Invalid token")

    def test_role_before_body(self, http: httpx.Client, world: ServiceWorld) -> None:
        response = trigger(http, world.user_token, None, raw=b"not json")
        assert response.status_code == 403

    def test_body_before_play(self, http: httpx.Client, world: ServiceWorld) -> None:
        response = trigger(http, world.admin_token, {"successplayId": str(uuid.uuid4())})
        assert (response.status_code, response.text) == (400, "accountId is required")

    def test_play_before_account(self, http: httpx.Client, world: ServiceWorld) -> None:
        response = trigger(http, world.admin_token, body(uuid.uuid4(), "nope"))
        assert response.text == "SuccessPlay not found"

    def test_manual_before_account(self, http: httpx.Client, world: ServiceWorld) -> None:
        response = trigger(http, world.admin_token, body(world.event_play, "nope"))
        assert response.text == "SuccessPlay is not configured as manual"


class TestTenantIsolation:
    def test_another_services_play_is_not_found(
        self, http: httpx.Client, world: ServiceWorld, factory: Factory
    ) -> None:
        other = factory.tenant()
        factory.account(other, "acme")
        foreign_play = factory.play(other)
        response = trigger(http, world.admin_token, body(foreign_play, "acme"))
        assert (response.status_code, response.text) == (400, "SuccessPlay not found")

    def test_another_services_account_is_not_found(
        self, http: httpx.Client, world: ServiceWorld, factory: Factory
    ) -> None:
        other = factory.tenant()
        factory.account(other, "globex")
        response = trigger(http, world.admin_token, body(world.play, "globex"))
        assert (response.status_code, response.text) == (400, "Account not found")

    def test_another_services_admin_cannot_run_our_play(
        self, http: httpx.Client, world: ServiceWorld, factory: Factory
    ) -> None:
        other = factory.tenant()
        factory.account(other, "acme")
        foreign_admin_token = factory.token(factory.admin(other))
        response = trigger(http, foreign_admin_token, body(world.play, "acme"))
        assert (response.status_code, response.text) == (400, "SuccessPlay not found")


def test_request_id_is_echoed_when_given(http: httpx.Client, world: ServiceWorld) -> None:
    response = http.post(
        PATH,
        json=body(world.play, "acme"),
        headers={"app-token": world.admin_token, "X-Request-Id": "abc-123"},
    )
    assert response.headers["x-request-id"] == "abc-123"


def test_json_refused_with_q_zero_keeps_text(http: httpx.Client, world: ServiceWorld) -> None:
    for accept in ("application/json;q=0", "application/json; q=0.0, text/plain"):
        response = trigger(http, world.admin_token, body(world.play, "nope"), accept=accept)
        assert (response.status_code, response.text) == (400, "Account not found")


def test_an_empty_app_token_header_does_not_hide_a_bearer_token(
    http: httpx.Client, world: ServiceWorld
) -> None:
    response = http.post(
        PATH,
        json=body(world.play, "acme"),
        headers={"app-token": "", "Authorization": f"Bearer {world.admin_token}"},
    )
    assert (response.status_code, response.text) == (200, "Success")
