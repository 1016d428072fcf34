"""The OpenAPI document is reusable: a client generated from it by openapi-python-client (a
generator people use) imports, and runs a play, lists runs, reads typed errors and gets an
OAuth token against a live Playrunner."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from playrunner.app import create_app
from playrunner.config import Settings
from tests.factories import Factory
from tests.live_server import LiveServer
from tests.worlds import ServiceWorld

PACKAGE = "playrunner_generated_client"
GENERATOR = Path(sys.executable).parent / "openapi-python-client"
# Far more than the document needs (about a hundred); the problem schema inlined in every
# response made generators write one model per response (over 700 files).
MAX_MODEL_FILES = 150
# The generated client's default (httpx's 5 s) is short for a server that builds its OpenAPI
# document on a machine busy with the rest of the suite.
TIMEOUT = httpx.Timeout(30)


class Generated:
    """The generated package: its folder, and its modules by their dotted path in it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.client = self.module("client")
        self.models = self.module("models")

    def module(self, name: str) -> ModuleType:
        return importlib.import_module(f"{PACKAGE}.{name}")


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    document: dict[str, Any] = create_app(Settings(database_url="sqlite:///:memory:")).openapi()
    return document


@pytest.fixture(scope="module")
def generated(spec: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Generated:
    """The client, generated from the document with warnings as failures, and importable."""
    workdir = tmp_path_factory.mktemp("generated-client")
    (workdir / "openapi.json").write_text(json.dumps(spec))
    # No post hooks: they run ruff over the code, which is style, not the contract.
    (workdir / "config.json").write_text(
        json.dumps({"post_hooks": [], "package_name_override": PACKAGE})
    )
    finished = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            "openapi.json",
            "--config",
            "config.json",
            "--meta",
            "none",
            "--output-path",
            PACKAGE,
            "--fail-on-warning",
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    sys.path.append(str(workdir))
    return Generated(workdir / PACKAGE)


def test_the_generated_client_is_small(generated: Generated) -> None:
    models = [p for p in (generated.root / "models").glob("*.py") if p.name != "__init__.py"]
    assert 50 < len(models) < MAX_MODEL_FILES
    assert (generated.root / "models" / "problem.py").exists()


def test_the_generated_client_runs_a_play_lists_runs_and_reads_errors(
    generated: Generated, spec: dict[str, Any], factory: Factory, server: LiveServer
) -> None:
    world = ServiceWorld(factory)
    client_module = generated.client
    models = generated.models
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as http:
        assert http.get("/openapi.json").json() == spec  # what was generated from is served

    def as_user(token: str) -> Any:
        # Totango's routes answer text unless asked for JSON; the generated client reads JSON.
        return client_module.AuthenticatedClient(
            base_url=server.url,
            token=token,
            prefix="",
            auth_header_name="app-token",
            headers={"Accept": "application/json"},
            raise_on_unexpected_status=True,
            timeout=TIMEOUT,
        )

    admin, user = as_user(world.admin_token), as_user(world.user_token)

    trigger = generated.module("api.automations_totango_compatible.run_manual_success_play")
    body = models.RunManualSuccessPlayTriggerBody(
        successplay_id=str(world.play.id), account_id="acme"
    )
    ran = trigger.sync(client=admin, body=body)
    assert isinstance(ran, models.TriggerResult)
    assert (ran.status, len(ran.task_ids)) == ("Success", 1)

    runs = generated.module("api.runs.list_runs").sync(client=admin, account="acme")
    assert isinstance(runs, models.PageRunRead)
    assert [run.id for run in runs.items] == [ran.run_id]
    assert runs.items[0].status == models.RunStatus.COMPLETED

    # Errors are typed: the one Problem model, whatever the status.
    missing = generated.module("api.accounts.get_account").sync("no-such-account", client=admin)
    assert isinstance(missing, models.Problem)
    assert (missing.status, missing.code) == (404, "not_found")
    unknown_play = models.RunManualSuccessPlayTriggerBody(successplay_id="nope", account_id="acme")
    refused = trigger.sync(client=admin, body=unknown_play)
    assert isinstance(refused, models.Problem)
    assert refused.status == 400
    play = models.PlayWrite.from_dict(
        {
            "name": "By a user",
            "description": "Users may not configure plays",
            "triggers": ["manual"],
            "actions": [{"type": "create_task", "title": "Call", "description": "Call them"}],
        }
    )
    forbidden = generated.module("api.success_plays.create_success_play").sync(
        client=user, body=play
    )
    assert isinstance(forbidden, models.Problem)
    assert (forbidden.status, forbidden.code) == (403, "permission_denied")


def test_the_generated_client_gets_an_oauth_token_and_calls_with_it(
    generated: Generated, factory: Factory, server: LiveServer
) -> None:
    world = ServiceWorld(factory)
    models = generated.models
    client_module = generated.client
    admin = client_module.AuthenticatedClient(
        base_url=server.url,
        token=world.admin_token,
        raise_on_unexpected_status=True,
        timeout=TIMEOUT,
    )
    app = generated.module("api.o_auth_applications.create_o_auth_app").sync(
        client=admin,
        body=models.AppCreate(
            name="Generated",
            grant_types=[models.GrantType.CLIENT_CREDENTIALS],
            scopes=["runs:read"],
            acting_user=world.admin.email,
        ),
    )
    assert isinstance(app, models.AppCreated)

    public = client_module.Client(
        base_url=server.url, raise_on_unexpected_status=True, timeout=TIMEOUT
    )
    token_endpoint = generated.module("api.o_auth_applications.oauth_token")
    grant = models.GrantType.CLIENT_CREDENTIALS
    token = token_endpoint.sync(
        client=public,
        body=models.TokenRequest(
            grant_type=grant, client_id=app.client_id, client_secret=app.client_secret
        ),
    )
    assert isinstance(token, models.TokenResponse)
    assert (token.token_type, token.scope) == ("Bearer", "runs:read")

    wrong = token_endpoint.sync(
        client=public,
        body=models.TokenRequest(grant_type=grant, client_id=app.client_id, client_secret="x"),
    )
    assert isinstance(wrong, models.OAuthError)
    assert wrong.error == "invalid_client"

    as_app = client_module.AuthenticatedClient(
        base_url=server.url,
        token=token.access_token,
        raise_on_unexpected_status=True,
        timeout=TIMEOUT,
    )
    runs = generated.module("api.runs.list_runs").sync(client=as_app)
    assert isinstance(runs, models.PageRunRead)
    out_of_scope = generated.module("api.accounts.list_accounts").sync(client=as_app)
    assert isinstance(out_of_scope, models.Problem)
    assert (out_of_scope.status, out_of_scope.code) == (403, "permission_denied")

    metadata = generated.module("api.o_auth_applications.oauth_metadata").sync(client=public)
    assert isinstance(metadata, models.AuthorizationServerMetadata)
    assert metadata.token_endpoint == server.url + "/oauth/token"
