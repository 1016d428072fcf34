"""Writes racing each other on PostgreSQL, from real concurrent clients against a live server:
the winner succeeds, the others are told the thing is gone (404) or already exists (409), or
the write is an upsert that all of them may make. Never a 5xx. SQLite serialises writes, so
this is about PostgreSQL; every write route of the API is raced here (a test checks that)."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from playrunner.app import create_app
from playrunner.config import Settings
from playrunner.webhooks import signing
from tests.factories import Factory, task_play
from tests.live_server import LiveServer
from tests.worlds import PATH, ApiWorld, run_via_api

pytestmark = [
    pytest.mark.postgresql_only,
    pytest.mark.rate_limit("100000/minute"),
    # A DELETE or UPDATE that matched no row (another request removed it first) must not
    # pass as done: SQLAlchemy only warns of it, so here (the server is in this process)
    # the warning fails the request.
    pytest.mark.filterwarnings("error::sqlalchemy.exc.SAWarning"),
    # Webhook endpoints on this machine (the races need some), signed with a test key.
    pytest.mark.settings(webhooks_allow_private_networks=True, secret_key="race-key"),
]

CLIENTS = 8  # requests in flight at once, per round
ROUNDS = 3


@dataclass
class Call:
    method: str
    path: str
    json: Any = None
    admin: bool = True
    form: dict[str, str] | None = None  # an OAuth endpoint's form body, sent with ``client``
    client: tuple[str, str] | None = None
    # A body sent as it is, with its own headers and no token (an inbound event).
    content: bytes | None = None
    headers: dict[str, str] | None = None


@dataclass
class Race:
    """Requests sent at once, and the statuses each may answer."""

    calls: list[Call]
    allowed: set[int]
    # The statuses that must be answered exactly once (e.g. one 201 among creates).
    once: set[int] = field(default_factory=set)


class RaceWorld:
    """An ``ApiWorld`` on a live server, with what the races need: accounts, a form, a play,
    a flow, an account role."""

    def __init__(self, api: ApiWorld, url: str) -> None:
        self.api = api
        self.url = url
        self.admin_token = api.admin.headers["app-token"]
        self.user_token = api.user.headers["app-token"]
        self.n = 0

    def fresh(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def ok(self, response: httpx.Response) -> Any:
        assert response.status_code < 300, response.text
        return response.json() if response.content and response.text != "Success" else None

    def account(self) -> str:
        account_id = self.fresh("acct")
        self.ok(
            self.api.admin.post("/api/v1/accounts", json={"account_id": account_id, "name": "A"})
        )
        return account_id

    def play(self) -> str:
        body = task_play(name=self.fresh("Play "))
        return str(self.ok(self.api.admin.post("/api/v1/successplays", json=body))["id"])


def fire(world: RaceWorld, race: Race) -> Counter[int]:
    async def send() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=CLIENTS * 2)
        async with httpx.AsyncClient(base_url=world.url, timeout=60, limits=limits) as client:
            return await asyncio.gather(
                *(
                    client.request(
                        call.method,
                        call.path,
                        json=call.json,
                        data=call.form,
                        content=call.content,
                        auth=call.client,
                        headers=_headers(world, call),
                    )
                    for call in race.calls
                )
            )

    responses = asyncio.run(send())
    statuses = Counter(r.status_code for r in responses)
    for response in responses:
        assert response.status_code in race.allowed, (response.status_code, response.text)
        if response.status_code >= 400:
            document = response.json()  # a message, not just a status
            assert document.get("detail") or document.get("error_description"), response.text
    for status in race.once:
        assert statuses[status] == 1, statuses
    return statuses


def _headers(world: RaceWorld, call: Call) -> dict[str, str]:
    if call.headers is not None:
        return {**call.headers, "Accept": "application/json"}
    if call.client:
        return {"Accept": "application/json"}
    token = world.admin_token if call.admin else world.user_token
    return {"app-token": token, "Accept": "application/json"}


def same(call: Call, times: int = CLIENTS) -> list[Call]:
    return [call] * times


def mixed(*calls: Call) -> list[Call]:
    """The calls, interleaved, filling the round."""
    return [calls[n % len(calls)] for n in range(CLIENTS)]


# Each race is built fresh for every round (so creates race on a new name each time).
RACES: dict[str, tuple[list[str], Callable[[RaceWorld], Race]]] = {}


def race(*routes: str) -> Callable[[Callable[[RaceWorld], Race]], Callable[[RaceWorld], Race]]:
    def register(build: Callable[[RaceWorld], Race]) -> Callable[[RaceWorld], Race]:
        RACES[build.__name__] = (list(routes), build)
        return build

    return register


@race("POST /api/v1/accounts")
def create_the_same_account(w: RaceWorld) -> Race:
    body = {"account_id": w.fresh("acct"), "name": "Same"}
    return Race(same(Call("POST", "/api/v1/accounts", body)), {201, 409}, once={201})


@race("POST /api/v1/accounts/bulk", "PUT /api/v1/accounts/{account_id}")
def upsert_the_same_account(w: RaceWorld) -> Race:
    account_id = w.fresh("acct")
    bulk = {"accounts": [{"account_id": account_id, "name": "Bulk"}]}
    put = {"name": "Put", "attributes": {"tier": 1}}
    return Race(
        mixed(
            Call("POST", "/api/v1/accounts/bulk", bulk),
            Call("PUT", f"/api/v1/accounts/{account_id}", put),
        ),
        {200, 201},
    )


@race(
    "PATCH /api/v1/accounts/{account_id}",
    "DELETE /api/v1/accounts/{account_id}",
    "PUT /api/v1/accounts/{account_id}/roles/{role}",
    "DELETE /api/v1/accounts/{account_id}/roles/{role}",
)
def change_an_account_while_it_is_deleted(w: RaceWorld) -> Race:
    account_id = w.account()
    path = f"/api/v1/accounts/{account_id}"
    role = f"{path}/roles/Success Manager"
    return Race(
        mixed(
            Call("PATCH", path, {"attributes": {"tier": 2}}),
            Call("DELETE", path),
            Call("PUT", role, {"email": w.api.user_user.email}),
            Call("DELETE", role),
        ),
        {200, 204, 404},
        once=set(),
    )


@race("POST /api/v1/account-roles")
def create_the_same_account_role(w: RaceWorld) -> Race:
    body = {"name": w.fresh("Role ")}
    return Race(same(Call("POST", "/api/v1/account-roles", body)), {201, 409}, once={201})


@race("PATCH /api/v1/account-roles/{name}", "DELETE /api/v1/account-roles/{name}")
def rename_an_account_role_while_it_is_deleted(w: RaceWorld) -> Race:
    name = w.fresh("Role ")
    w.ok(w.api.admin.post("/api/v1/account-roles", json={"name": name}))
    path = f"/api/v1/account-roles/{name}"
    return Race(
        mixed(Call("PATCH", path, {"name": w.fresh("Renamed ")}), Call("DELETE", path)),
        {200, 204, 404, 409},
    )


@race("POST /api/v1/users")
def create_the_same_user(w: RaceWorld) -> Race:
    body = {"email": f"{w.fresh('user')}@example.com", "name": "Same"}
    return Race(same(Call("POST", "/api/v1/users", body)), {201, 409}, once={201})


@race("PATCH /api/v1/users/{email}")
def change_a_user_at_once(w: RaceWorld) -> Race:
    email = f"{w.fresh('user')}@example.com"
    w.ok(w.api.admin.post("/api/v1/users", json={"email": email, "name": "U"}))
    path = f"/api/v1/users/{email}"
    return Race(
        mixed(
            Call("PATCH", path, {"role": "SERVICE_ADMIN"}),
            Call("PATCH", path, {"role": "USER"}),
            Call("PATCH", path, {"active": False}),
            Call("PATCH", path, {"name": "Renamed"}),
        ),
        {200, 409},
    )


@race("PATCH /api/v1/users/me", "PATCH /api/v1/service")
def change_email_settings_at_once(w: RaceWorld) -> Race:
    return Race(
        mixed(
            Call("PATCH", "/api/v1/users/me", {"email_notifications": False}, admin=False),
            Call("PATCH", "/api/v1/users/me", {"email_notifications": True}, admin=False),
            Call("PATCH", "/api/v1/service", {"force_email_notifications": True}),
            Call("PATCH", "/api/v1/service", {"force_email_notifications": False}),
        ),
        {200},
    )


@race("POST /api/v1/tokens", "PATCH /api/v1/tokens/{token_id}", "DELETE /api/v1/tokens/{token_id}")
def rename_a_token_while_it_is_revoked(w: RaceWorld) -> Race:
    token_id = w.ok(w.api.user.post("/api/v1/tokens", json={"name": "t"}))["id"]
    path = f"/api/v1/tokens/{token_id}"
    return Race(
        mixed(
            Call("PATCH", path, {"name": "renamed"}, admin=False),
            Call("DELETE", path, admin=False),
            Call("POST", "/api/v1/tokens", {"name": "another"}, admin=False),
        ),
        {200, 201, 204, 404, 409},  # 409: renaming a token revoked a moment before
    )


@race("POST /api/v3/activity-types")
def create_the_same_flow(w: RaceWorld) -> Race:
    body = {"id": w.fresh("flow"), "name": "Flow"}
    return Race(same(Call("POST", "/api/v3/activity-types", body)), {201, 409}, once={201})


@race("PUT /api/v3/activity-types/{flow_id}", "DELETE /api/v3/activity-types/{flow_id}")
def rename_a_flow_while_it_is_deleted(w: RaceWorld) -> Race:
    flow_id = w.fresh("flow")
    w.ok(w.api.admin.post("/api/v3/activity-types", json={"id": flow_id, "name": "F"}))
    path = f"/api/v3/activity-types/{flow_id}"
    return Race(
        mixed(Call("PUT", path, {"name": "Renamed"}), Call("DELETE", path)),
        {200, 201, 204, 404},
    )


def form_body(name: str, label: str = "How is it?") -> dict[str, Any]:
    return {"name": name, "fields": [{"attribute": "health", "label": label, "type": "text"}]}


@race("POST /api/v1/forms")
def create_the_same_form(w: RaceWorld) -> Race:
    body = form_body(w.fresh("Form "))
    return Race(same(Call("POST", "/api/v1/forms", body)), {201, 409}, once={201})


@race("PUT /api/v1/forms/{form_id}", "DELETE /api/v1/forms/{form_id}")
def change_a_form_while_it_is_deleted(w: RaceWorld) -> Race:
    name = w.fresh("Form ")
    form_id = w.ok(w.api.admin.post("/api/v1/forms", json=form_body(name)))["id"]
    path = f"/api/v1/forms/{form_id}"
    return Race(
        mixed(Call("PUT", path, form_body(name, "Changed?")), Call("DELETE", path)),
        {200, 204, 404},
    )


@race("POST /api/v1/successplays")
def create_plays_with_the_same_name(w: RaceWorld) -> Race:
    body = task_play(name=w.fresh("Play "))
    return Race(same(Call("POST", "/api/v1/successplays", body)), {201, 409})


@race(
    "PUT /api/v1/successplays/{play_id}",
    "DELETE /api/v1/successplays/{play_id}",
    "POST /api/v1/successplays/{play_id}/enable",
    "POST /api/v1/successplays/{play_id}/disable",
)
def change_a_play_while_it_is_deleted(w: RaceWorld) -> Race:
    play_id = w.play()
    path = f"/api/v1/successplays/{play_id}"
    return Race(
        mixed(
            Call("PUT", path, task_play(name=w.fresh("Renamed "))),
            Call("DELETE", path),
            Call("POST", f"{path}/enable"),
            Call("POST", f"{path}/disable"),
        ),
        {200, 204, 404},
    )


@race(
    "POST /api/v2/automations/run-manual-successplay",
    "POST /api/v2/automations/run-manual-successplay/bulk",
)
def trigger_a_play_while_it_is_deleted(w: RaceWorld) -> Race:
    play_id, account_id = w.play(), w.account()
    body = {"successplayId": play_id, "accountId": account_id}
    bulk = {"successplayId": play_id, "accountIds": [account_id]}
    return Race(
        mixed(
            Call("POST", PATH, body),
            Call("POST", PATH + "/bulk", bulk),
            Call("DELETE", f"/api/v1/successplays/{play_id}"),
            Call("DELETE", f"/api/v1/accounts/{account_id}"),
        ),
        # 400: Totango's "SuccessPlay not found" / "Account not found"; 409: a play that has
        # made open tasks is not deleted.
        {200, 204, 400, 404, 409},
    )


@race("POST /api/v3/tasks", "PUT /api/v3/tasks/{task_id}", "DELETE /api/v3/tasks/{task_id}")
def change_a_task_while_it_is_deleted(w: RaceWorld) -> Race:
    account_id = w.account()
    created = w.api.admin.post("/api/v3/tasks", json={"title": "t", "account_id": account_id})
    path = f"/api/v3/tasks/{created.headers['x-task-id']}"
    return Race(
        mixed(
            Call("PUT", path, {"status": "completed"}),
            Call("DELETE", path),
            Call("POST", "/api/v3/tasks", {"title": "another", "account_id": account_id}),
        ),
        {200, 204, 404},
    )


@race(
    "POST /api/v1/form-requests/{request_id}/submit",
    "POST /api/v1/form-requests/{request_id}/cancel",
)
def answer_a_form_request_while_it_is_cancelled(w: RaceWorld) -> Race:
    form = w.fresh("Form ")
    w.ok(w.api.admin.post("/api/v1/forms", json=form_body(form)))
    play = task_play(
        name=w.fresh("Ask "),
        actions=[{"type": "request_information", "form": form, "assignee": {"kind": "runner"}}],
    )
    play_id = w.ok(w.api.admin.post("/api/v1/successplays", json=play))["id"]
    (request_id,) = run_via_api(w.api, play_id, w.account())["formRequestIds"]
    path = f"/api/v1/form-requests/{request_id}"
    return Race(
        mixed(
            Call("POST", f"{path}/submit", {"answers": {"health": "good"}}),
            Call("POST", f"{path}/cancel"),
        ),
        {200, 409},
        once={200},
    )


def app_body(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "grant_types": ["client_credentials"],
        "scopes": ["accounts:read"],
        "acting_user": "",
    }


@race(
    "POST /api/v1/oauth/apps",
    "PATCH /api/v1/oauth/apps/{app_id}",
    "DELETE /api/v1/oauth/apps/{app_id}",
    "POST /api/v1/oauth/apps/{app_id}/rotate-secret",
)
def change_an_app_while_it_is_deleted(w: RaceWorld) -> Race:
    body = {**app_body(w.fresh("App ")), "acting_user": w.api.admin_user.email}
    app_id = w.ok(w.api.admin.post("/api/v1/oauth/apps", json=body))["id"]
    path = f"/api/v1/oauth/apps/{app_id}"
    return Race(
        mixed(
            Call("PATCH", path, {"name": "Renamed"}),
            Call("DELETE", path),
            Call("POST", f"{path}/rotate-secret"),
            Call("POST", "/api/v1/oauth/apps", {**body, "name": w.fresh("App ")}),
        ),
        {200, 201, 204, 404},
    )


@race("POST /oauth/token", "POST /oauth/revoke")
def get_tokens_while_one_is_revoked(w: RaceWorld) -> Race:
    body = {**app_body(w.fresh("App ")), "acting_user": w.api.admin_user.email}
    app = w.ok(w.api.admin.post("/api/v1/oauth/apps", json=body))
    client = (app["client_id"], app["client_secret"])
    grant = {"grant_type": "client_credentials", "scope": "accounts:read"}
    token = w.api.admin.post("/oauth/token", data=grant, auth=client).json()["access_token"]
    return Race(
        mixed(
            Call("POST", "/oauth/token", form=grant, client=client),
            Call("POST", "/oauth/revoke", form={"token": token}, client=client),
        ),
        {200},
    )


@race(
    "POST /api/v1/webhooks",
    "PATCH /api/v1/webhooks/{endpoint_id}",
    "DELETE /api/v1/webhooks/{endpoint_id}",
    "POST /api/v1/webhooks/{endpoint_id}/rotate-secret",
    "POST /api/v1/webhooks/deliveries/{delivery_id}/redeliver",
)
def change_a_webhook_endpoint_while_it_is_deleted(w: RaceWorld) -> Race:
    body = {"url": "http://127.0.0.1:9/hook", "events": ["run.created"]}
    endpoint_id = w.ok(w.api.admin.post("/api/v1/webhooks", json=body))["id"]
    play_id = w.ok(w.api.admin.post("/api/v1/successplays", json=task_play(name=w.fresh("P "))))
    run_via_api(w.api, play_id["id"], w.account())
    path = f"/api/v1/webhooks/{endpoint_id}"
    # The run's delivery is written by the server's workers once the call is answered.
    deadline = time.monotonic() + 30
    while not (found := w.ok(w.api.admin.get(f"{path}/deliveries"))):
        assert time.monotonic() < deadline, "the run's delivery was never written"
        time.sleep(0.05)
    (delivery,) = found
    return Race(
        mixed(
            Call("PATCH", path, {"description": "renamed"}),
            Call("DELETE", path),
            Call("POST", f"{path}/rotate-secret"),
            Call("POST", f"/api/v1/webhooks/deliveries/{delivery['id']}/redeliver"),
            Call("POST", "/api/v1/webhooks", body),
        ),
        {200, 201, 204, 404},
    )


@race("POST /api/v1/event-sources")
def create_the_same_event_source(w: RaceWorld) -> Race:
    body = {"name": w.fresh("Source ")}
    return Race(same(Call("POST", "/api/v1/event-sources", body)), {201, 409}, once={201})


@race(
    "POST /api/v1/event-sources/{source_id}/rotate-secret",
    "DELETE /api/v1/event-sources/{source_id}",
    "POST /api/v1/event-sources/{source_id}/rules",
    "PUT /api/v1/event-sources/{source_id}/rules/{rule_id}",
    "DELETE /api/v1/event-sources/{source_id}/rules/{rule_id}",
    "POST /api/v1/event-sources/{source_id}/test",
)
def change_an_event_source_while_it_is_deleted(w: RaceWorld) -> Race:
    source = w.ok(w.api.admin.post("/api/v1/event-sources", json={"name": w.fresh("S ")}))
    path = f"/api/v1/event-sources/{source['id']}"
    rule: dict[str, Any] = {"name": "r", "account_path": "account", "action": "set_attributes"}
    rule["attributes"] = {"seen": "type"}
    made = w.ok(w.api.admin.post(f"{path}/rules", json=rule))
    return Race(
        mixed(
            Call("POST", f"{path}/rotate-secret"),
            Call("DELETE", path),
            Call("POST", f"{path}/rules", rule),
            Call("PUT", f"{path}/rules/{made['id']}", {**rule, "name": "renamed"}),
            Call("DELETE", f"{path}/rules/{made['id']}"),
            Call("POST", f"{path}/test", {"payload": {"type": "t", "account": "a"}}),
        ),
        {200, 201, 204, 404},
    )


@race("POST /api/v1/events/{source_id}")
def post_the_same_event_at_once(w: RaceWorld) -> Race:
    """A sender's retries arriving together: the event is stored once (one 202)."""
    source = w.ok(w.api.admin.post("/api/v1/event-sources", json={"name": w.fresh("E ")}))
    body = json.dumps({"type": "t", "account": w.account()})
    headers = signing.signature_headers(source["secret"], w.fresh("msg_"), datetime.now(UTC), body)
    call = Call("POST", source["events_url"], content=body.encode(), headers=headers)
    return Race(same(call), {200, 202}, once={202})


# The consent page's answer: one person's browser behind a session and a CSRF token, which
# writes only a new authorization code (no row another request could be changing).
RACED_ELSEWHERE = {"POST /oauth/authorize"}


@pytest.fixture
def races(factory: Factory, settings: Settings) -> Iterator[RaceWorld]:
    with LiveServer(create_app(settings)) as server:
        connect: Callable[[str], httpx.Client] = lambda token: httpx.Client(  # noqa: E731
            base_url=server.url, headers={"app-token": token}, timeout=30
        )
        api = ApiWorld(factory, connect)
        try:
            yield RaceWorld(api, server.url)
        finally:
            api.close()


@pytest.mark.parametrize("name", sorted(RACES))
def test_racing_writes_answer_what_a_user_expects(races: RaceWorld, name: str) -> None:
    _, build = RACES[name]
    for _ in range(ROUNDS):
        fire(races, build(races))


def test_every_write_route_is_raced() -> None:
    document = create_app(Settings(database_url="sqlite://")).openapi()
    writes = {
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method in operations
        if method in ("post", "put", "patch", "delete")
    }
    raced = {route for routes, _ in RACES.values() for route in routes}
    assert writes - raced - RACED_ELSEWHERE == set()
    assert raced - writes == set()
