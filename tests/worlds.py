"""The worlds tests run in, built once here: a service with its people, accounts and plays
(``ServiceWorld``), that service behind the management API (``ApiWorld``), the SDK's world
(``PlayrunnerWorld``), a sentiment form waiting to be answered (``SentimentWorld``), and the
helpers that run a play through the trigger API or the engine."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from playrunner.automations.service import run_manual_successplay
from playrunner.client import Client
from playrunner.db import Database
from playrunner.models import RunSource, SuccessPlay, Tenant, User
from playrunner.runs.engine import RunOutcome
from playrunner.users import service as users_service
from tests.factories import Factory, task_play
from tests.pages import PASSWORD, sign_in

PATH = "/api/v2/automations/run-manual-successplay"

FORM_PLAY: dict[str, Any] = task_play(
    name="Sentiment check",
    actions=[
        {
            "type": "request_information",
            "form": "Sentiment",
            "instructions": "How is {{ account.name }}?",
        }
    ],
)


class ServiceWorld:
    """One service: an admin and a user with tokens, a Success Manager, the account ``acme``
    (the Success Manager's), and a manual, an event-only and an inactive play."""

    def __init__(self, factory: Factory) -> None:
        self.factory = factory
        self.tenant: Tenant = factory.tenant()
        self.admin: User = factory.admin(self.tenant)
        self.user: User = factory.user(self.tenant)
        self.csm: User = factory.user(self.tenant)
        self.admin_token = factory.token(self.admin)
        self.user_token = factory.token(self.user)
        self.account = factory.account(self.tenant, "acme", name="Acme", success_manager=self.csm)
        self.play: SuccessPlay = factory.play(self.tenant)
        self.event_play = factory.play(self.tenant, task_play(triggers=["event"]))
        self.inactive_play = factory.play(self.tenant, task_play(active=False))


class PlayrunnerWorld(ServiceWorld):
    """The SDK's world on a live server: ``ServiceWorld`` plus ``globex`` and ``initech``
    (SMB), the sentiment form, a play asking for it and a play that skips while open."""

    def __init__(self, factory: Factory, url: str) -> None:
        super().__init__(factory)
        self.url = url
        for account_id in ("globex", "initech"):
            factory.account(
                self.tenant,
                account_id,
                name=account_id.title(),
                success_manager=self.csm,
                attributes={"segment": "SMB"},
            )
        factory.form(self.tenant)
        self.form_play: SuccessPlay = factory.play(self.tenant, FORM_PLAY)
        self.skip_play = factory.play(self.tenant, task_play(duplicate_policy="skip_if_open"))

    def client(self, token: str | None = None, **options: Any) -> Client:
        return Client(token or self.admin_token, self.url, **options)


class ApiWorld:
    """Callers of the management API: an admin, a regular user, and another service's
    admin, each with their own token, on ``connect(token)``'s transport."""

    def __init__(self, factory: Factory, connect: Callable[[str], httpx.Client]) -> None:
        self.factory = factory
        self.connect = connect
        self.tenant: Tenant = factory.tenant()
        self.admin_user: User = factory.admin(self.tenant)
        self.user_user: User = factory.user(self.tenant)
        self.other_tenant: Tenant = factory.tenant()
        self.admin = connect(factory.token(self.admin_user))
        self.user = connect(factory.token(self.user_user))
        self.stranger = connect(factory.token(factory.admin(self.other_tenant)))

    def close(self) -> None:
        for http in (self.admin, self.user, self.stranger):
            http.close()


@contextmanager
def api_world(factory: Factory, connect: Callable[[str], httpx.Client]) -> Iterator[ApiWorld]:
    world = ApiWorld(factory, connect)
    try:
        yield world
    finally:
        world.close()


class SentimentWorld:
    """On an ``ApiWorld``: ``acme`` (Success Manager: ``api.user``) and ``globex`` (none, so
    its requests go to the admin who runs the play), each asked for their sentiment once."""

    def __init__(self, api: ApiWorld) -> None:
        self.api = api
        api.factory.form(api.tenant)
        api.factory.account(
            api.tenant,
            "acme",
            success_manager=api.user_user,
            attributes={"segment": "SMB", "sentiment": "Green"},
        )
        api.factory.account(api.tenant, "globex")
        play = api.factory.play(
            api.tenant,
            task_play(
                actions=[
                    {
                        "type": "request_information",
                        "form": "Sentiment",
                        "instructions": "Sentiment for {{ account.name }}?",
                        "due_in_days": 2,
                    }
                ]
            ),
        )
        (self.mine,) = run_via_api(api, play.id, "acme")["formRequestIds"]
        (self.theirs,) = run_via_api(api, play.id, "globex")["formRequestIds"]

    def url(self, request_id: str, action: str = "") -> str:
        return f"/api/v1/form-requests/{request_id}{action}"

    def attributes(self) -> dict[str, Any]:
        response = self.api.admin.get("/api/v1/accounts/acme")
        attributes: dict[str, Any] = response.json()["attributes"]
        return attributes


class PagesWorld:
    """The web app's world: one service with an admin and a Success Manager who sign in with
    passwords, ``acme`` and ``globex`` (the Success Manager's), the sentiment form, a task play
    that needs a touchpoint to complete, a form play, an event-only and an inactive play; and
    a user of another service. ``browser()`` is a new client with its own cookies."""

    def __init__(self, factory: Factory, database: Database, connect: Callable[[], httpx.Client]):
        self.factory = factory
        self.database = database
        self.connect = connect
        self.tenant: Tenant = factory.tenant()
        self.admin: User = factory.admin(self.tenant)
        self.csm: User = factory.user(self.tenant)
        self.other_admin: User = factory.admin(factory.tenant())
        for user in (self.admin, self.csm, self.other_admin):
            self.set_password(user)
        self.admin_token = factory.token(self.admin)
        self.account = factory.account(
            self.tenant,
            "acme",
            name="Acme Inc.",
            success_manager=self.csm,
            attributes={"segment": "Enterprise", "sentiment": "Green"},
        )
        factory.account(self.tenant, "globex", name="Globex", success_manager=self.csm)
        factory.form(self.tenant)
        self.task_play: SuccessPlay = factory.play(
            self.tenant,
            task_play(
                name="Salesforce follow-up",
                actions=[
                    {
                        "type": "create_task",
                        "title": "Follow up with {{ account.name }}",
                        "description": "Asked from Salesforce by {{ runner.name }}",
                        "priority": 1,
                        "due_in_days": 3,
                        "touchpoint_required": True,
                        "assignee": {"kind": "account_role", "role": "Success Manager"},
                    }
                ],
            ),
        )
        self.form_play: SuccessPlay = factory.play(self.tenant, FORM_PLAY)
        self.event_play = factory.play(
            self.tenant, task_play(name="Usage drop", triggers=["event"])
        )
        self.inactive_play = factory.play(self.tenant, task_play(name="Retired", active=False))
        self.clients: list[httpx.Client] = []
        self.base_url = ""  # set when the pages are on a live server

    def set_password(self, user: User, password: str = PASSWORD) -> None:
        with self.database.session() as session:
            users_service.set_password(session, user.tenant_id, user.email, password)

    def browser(self) -> httpx.Client:
        client = self.connect()
        self.clients.append(client)
        return client

    def signed_in(self, user: User) -> httpx.Client:
        browser = self.browser()
        answer = sign_in(browser, user.email)
        assert answer.status_code == 303, answer.text
        return browser

    def run(self, play: SuccessPlay, account_id: str = "acme") -> RunOutcome:
        return run_play(self.database, self.admin, play.id, account_id)

    def close(self) -> None:
        for client in self.clients:
            client.close()


# Running plays --------------------------------------------------------------------------


def trigger(
    http: httpx.Client,
    token: str | None,
    body: Any,
    *,
    accept: str | None = None,
    raw: bytes | None = None,
) -> httpx.Response:
    """The seed's call: ``POST /api/v2/automations/run-manual-successplay``."""
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["app-token"] = token
    if accept is not None:
        headers["Accept"] = accept
    if raw is not None:
        return http.post(PATH, content=raw, headers=headers)
    return http.post(PATH, json=body, headers=headers)


def body(play: SuccessPlay | uuid.UUID, account: str) -> dict[str, str]:
    play_id = play if isinstance(play, uuid.UUID) else play.id
    return {"successplayId": str(play_id), "accountId": account}


def run_via_api(api: ApiWorld, play_id: uuid.UUID, account_id: str) -> dict[str, Any]:
    """Run a play through the trigger API as the admin; return the JSON result."""
    response = api.admin.post(
        PATH,
        json={"successplayId": str(play_id), "accountId": account_id},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def run_play(database: Database, runner: User, play_id: Any, account_id: str) -> RunOutcome:
    """Run a play through the engine, as ``runner`` from the API would, and commit it."""
    with database.session() as session:
        return run_manual_successplay(
            session, users_service.principal_for(runner), str(play_id), account_id, RunSource.API
        )


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """Assert an RFC 9457 problem with this status; return it."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    document: dict[str, Any] = response.json()
    assert document["status"] == status
    return document
