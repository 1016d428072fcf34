"""The HTTP requests Salesforce sends for docs/salesforce.md's second pattern, against a live
server: the External Credential's client-credentials token request, then the Apex class's
callout through the Named Credential. What the requests carry (path, method, headers, body
keys) is read from the Apex class itself, so the class and this test cannot drift apart;
what the user is shown follows the class's ``resultOf``."""

from __future__ import annotations

import base64
import json
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from playrunner.accounts import service as accounts_service
from playrunner.db import Database
from playrunner.models import GrantType, Run, UserRole
from playrunner.users import service as users_service
from tests.accounts.test_external_ids import ID15, ID18
from tests.factories import Factory
from tests.live_server import LiveServer
from tests.oauth.helpers import OAuthWorld, RegisteredApp

ROOT = Path(__file__).resolve().parents[2]
APEX = ROOT / "examples/salesforce/force-app/main/default/classes/PlayrunnerRunPlay.cls"
DOC = ROOT / "docs/salesforce.md"
SCOPE = "successplays:trigger_manual"


@dataclass(frozen=True)
class Callout:
    """What the Apex class sends, read from its source."""

    path: str
    method: str
    headers: dict[str, str]
    key_header: str
    key_prefix: str
    body_keys: tuple[str, str]


def _found(pattern: str, source: str) -> str:
    match = re.search(pattern, source)
    if match is None:
        raise AssertionError(f"the Apex class changed: {pattern!r} no longer matches")
    return match.group(1)


def read_apex() -> Callout:
    source = APEX.read_text()
    first, second = re.findall(r"'(\w+)' => ", source)
    return Callout(
        path=_found(r"ENDPOINT = 'callout:Playrunner(/[^']+)'", source),
        method=_found(r"req\.setMethod\('(\w+)'\)", source),
        headers=dict(re.findall(r"req\.setHeader\('([\w-]+)', '([^']+)'\)", source)),
        key_header=_found(r"req\.setHeader\('([\w-]+)', idempotencyKey\)", source),
        key_prefix=_found(r"return '([\w-]+)' \+ EncodingUtil\.convertToHex", source),
        body_keys=(first, second),
    )


APEX_CALL = read_apex()


def test_the_docs_show_the_apex_class_as_shipped() -> None:
    assert APEX.read_text().strip() in DOC.read_text()
    assert APEX_CALL.path == "/api/v2/automations/run-manual-successplay"
    assert APEX_CALL.body_keys == ("successplayId", "accountId")


class Salesforce:
    """Salesforce's side: the External Credential's token, and the class's callouts."""

    def __init__(self, oauth: OAuthWorld, app: RegisteredApp, http: httpx.Client) -> None:
        self.oauth = oauth
        self.app = app
        self.http = http
        self.token = self.fetch_token(in_body=True)

    def fetch_token(self, *, in_body: bool) -> str:
        """Client credentials as an External Credential asks: the client id and secret in
        the form body ("Pass client credentials in request body") or as Basic auth."""
        form = {"grant_type": "client_credentials", "scope": SCOPE}
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if in_body:
            form |= {"client_id": self.app.client_id, "client_secret": self.app.client_secret}
        else:
            basic = base64.b64encode(f"{self.app.client_id}:{self.app.client_secret}".encode())
            headers["Authorization"] = f"Basic {basic.decode()}"
        answer = self.http.post("/oauth/token", data=form, headers=headers)
        assert answer.status_code == 200, answer.text
        token = answer.json()
        assert (token["token_type"], token["scope"]) == ("Bearer", SCOPE)
        access_token: str = token["access_token"]
        return access_token

    def callout(self, play: str, account: str, key: str | None = None) -> httpx.Response:
        """``send`` in the class; the Named Credential adds the Authorization header."""
        first, second = APEX_CALL.body_keys
        # Apex's JSON.serialize writes no spaces.
        body = json.dumps({first: play, second: account}, separators=(",", ":"))
        headers = {
            **APEX_CALL.headers,
            APEX_CALL.key_header: key or APEX_CALL.key_prefix + secrets.token_hex(16),
            "Authorization": f"Bearer {self.token}",
        }
        return self.http.request(APEX_CALL.method, APEX_CALL.path, content=body, headers=headers)


def shown_to_the_user(answer: httpx.Response) -> str:
    """``resultOf`` in the class: the body, a JSON string decoded."""
    body = answer.text.strip()
    if body.startswith('"'):
        body = json.loads(body)
    return body or f"Playrunner answered {answer.status_code}"


@pytest.fixture
def salesforce(
    factory: Factory, database: Database, server: LiveServer, http: httpx.Client
) -> Salesforce:
    oauth = OAuthWorld(factory, database, server.url)
    with oauth.database.session() as session:
        acme = accounts_service.get_account(session, oauth.world.tenant.id, "acme")
        accounts_service.set_external_ids(
            session, oauth.world.tenant.id, acme, {"salesforce": ID18}, replace=True
        )
    app = oauth.register(
        GrantType.CLIENT_CREDENTIALS,
        scopes=[SCOPE],
        acting_user=oauth.world.admin,
        name="Salesforce button",
    )
    return Salesforce(oauth, app, http)


def runs(oauth: OAuthWorld) -> int:
    with oauth.database.session() as session:
        return session.scalar(select(func.count()).select_from(Run)) or 0


@pytest.mark.parametrize("account", [ID18, ID15])
def test_the_class_runs_the_play_on_the_salesforce_account(
    salesforce: Salesforce, account: str
) -> None:
    answer = salesforce.callout(str(salesforce.oauth.world.play.id), account)
    assert answer.status_code == 200, answer.text
    assert shown_to_the_user(answer) == "Success"
    run = salesforce.http.get(
        f"/api/v2/automations/runs/{answer.headers['X-Run-Id']}",
        headers={"app-token": salesforce.oauth.world.admin_token},
    ).json()
    assert run["account_id"] == "acme"


def test_a_retry_with_the_same_key_is_one_run(salesforce: Salesforce) -> None:
    play = str(salesforce.oauth.world.play.id)
    key = APEX_CALL.key_prefix + secrets.token_hex(16)
    first = salesforce.callout(play, ID15, key)
    retry = salesforce.callout(play, ID15, key)
    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.headers["X-Run-Id"] == first.headers["X-Run-Id"]
    assert shown_to_the_user(retry) == "Success"
    assert runs(salesforce.oauth) == 1
    # A new click is a new key, and a new run.
    assert salesforce.callout(play, ID15).status_code == 200
    assert runs(salesforce.oauth) == 2


def test_a_basic_auth_token_works_alike(salesforce: Salesforce) -> None:
    salesforce.token = salesforce.fetch_token(in_body=False)
    answer = salesforce.callout(str(salesforce.oauth.world.play.id), ID18)
    assert (answer.status_code, shown_to_the_user(answer)) == (200, "Success")


def test_the_user_is_shown_the_documented_messages(salesforce: Salesforce) -> None:
    world = salesforce.oauth.world
    cases = [
        (str(world.play.id), "001000000000000", 400, "Account not found"),
        (str(world.inactive_play.id), ID18, 400, "SuccessPlay not found"),
        (str(world.event_play.id), ID18, 400, "SuccessPlay is not configured as manual"),
    ]
    for play, account, status, message in cases:
        answer = salesforce.callout(play, account)
        assert (answer.status_code, shown_to_the_user(answer)) == (status, message)
    salesforce.oauth.factory.admin(world.tenant)  # the service keeps an admin
    with salesforce.oauth.database.session() as session:
        users_service.set_role(session, world.tenant.id, world.admin.email, UserRole.USER)
    demoted = salesforce.callout(str(world.play.id), ID18)
    assert (demoted.status_code, shown_to_the_user(demoted)) == (
        403,
        "User is not authorized with role: SERVICE_ADMIN",
    )
    assert runs(salesforce.oauth) == 0


@pytest.mark.rate_limit("2/minute")
def test_the_rate_limit_is_shown_as_its_message(salesforce: Salesforce) -> None:
    play = str(salesforce.oauth.world.play.id)
    for _ in range(2):
        assert salesforce.callout(play, ID18).status_code == 200
    throttled = salesforce.callout(play, ID18)
    assert throttled.status_code == 429
    assert throttled.text == '"Too many requests"'
    assert shown_to_the_user(throttled) == "Too many requests"
