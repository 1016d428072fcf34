"""Principals are kept per process for a second (``auth/principals.py``), and that never makes
security stale: across two real server processes on one database, a revoked token, a
deactivated user, a demoted admin and a deleted OAuth application are refused by the process
that made the change on the very next call, and by the other one within a second."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from playrunner.auth.principals import TTL
from tests.factories import Factory
from tests.processes import ServerProcess, clean_environment, seconds_until
from tests.worlds import PATH, ServiceWorld, body

# The other process must refuse within TTL; this allows for a loaded machine's scheduling,
# and still fails a cache kept for many seconds.
OTHER_PROCESS_LIMIT = TTL + 2.0


def refused(response: httpx.Response) -> bool:
    return response.status_code in (401, 403)


def seconds_until_refused(call: Callable[[], httpx.Response]) -> float:
    """Call until refused; how long that took (failing past OTHER_PROCESS_LIMIT)."""
    return seconds_until(call, refused, OTHER_PROCESS_LIMIT)


def test_changes_that_refuse_a_token_apply_at_once_here_and_within_a_second_elsewhere(
    database_url: str, factory: Factory, tmp_path: Path
) -> None:
    world = ServiceWorld(factory)
    admin = {"app-token": world.admin_token}
    env = clean_environment(PLAYRUNNER_DATABASE_URL=database_url)
    with (
        ServerProcess([], env, tmp_path) as here,
        ServerProcess([], env, tmp_path) as there,
        httpx.Client(base_url=here.url, timeout=30) as a,
        httpx.Client(base_url=there.url, timeout=30) as b,
    ):

        def me(client: httpx.Client, token: str) -> httpx.Response:
            return client.get("/api/v1/users/me", headers={"app-token": token})

        # A personal token, revoked by its owner.
        made = a.post("/api/v1/tokens", json={"name": "cached"}, headers=admin)
        assert made.status_code == 201, made.text
        token, token_id = made.json()["token"], made.json()["id"]
        assert me(a, token).status_code == me(b, token).status_code == 200  # both keep it
        assert a.delete(f"/api/v1/tokens/{token_id}", headers={"app-token": token}).is_success
        assert me(a, token).status_code == 401
        seconds_until_refused(lambda: me(b, token))

        # A user deactivated by an admin: every token of theirs.
        assert me(a, world.user_token).status_code == me(b, world.user_token).status_code == 200
        patch = {"active": False}
        deactivated = a.patch(f"/api/v1/users/{world.user.email}", json=patch, headers=admin)
        assert deactivated.status_code == 200, deactivated.text
        assert me(a, world.user_token).status_code == 401
        seconds_until_refused(lambda: me(b, world.user_token))

        # An admin demoted by another: the trigger is for admins only.
        second_admin = factory.token(factory.admin(world.tenant))
        payload = body(world.play, "acme")

        def trigger(client: httpx.Client) -> httpx.Response:
            return client.post(PATH, json=payload, headers={"app-token": second_admin})

        assert trigger(a).status_code == trigger(b).status_code == 200
        email = me(a, second_admin).json()["email"]
        demoted = a.patch(f"/api/v1/users/{email}", json={"role": "USER"}, headers=admin)
        assert demoted.status_code == 200, demoted.text
        assert trigger(a).status_code == 403
        seconds_until_refused(lambda: trigger(b))

        # An OAuth application deleted: the tokens it was issued.
        spec = {
            "name": "CRM sync",
            "grant_types": ["client_credentials"],
            "scopes": ["accounts:read"],
            "acting_user": world.admin.email,
        }
        app = a.post("/api/v1/oauth/apps", json=spec, headers=admin)
        assert app.status_code == 201, app.text
        credentials = (app.json()["client_id"], app.json()["client_secret"])
        issued = a.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=credentials)
        assert issued.status_code == 200, issued.text
        bearer = {"authorization": f"Bearer {issued.json()['access_token']}"}

        def accounts(client: httpx.Client) -> httpx.Response:
            return client.get("/api/v1/accounts", headers=bearer)

        assert accounts(a).status_code == accounts(b).status_code == 200
        assert a.delete(f"/api/v1/oauth/apps/{app.json()['id']}", headers=admin).is_success
        assert accounts(a).status_code == 401
        seconds_until_refused(lambda: accounts(b))
