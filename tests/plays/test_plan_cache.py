"""Play plans are kept per process for a second (``plays/plan_cache.py``), and that never makes
a run stale: across two real server processes on one database, a play edited, deactivated or
deleted, and a role renamed, apply to the next trigger in the process that made the change
and within a second in the other."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import httpx
from sqlalchemy.orm import Session

from playrunner.db import Database
from playrunner.plays import service as plays_service
from playrunner.plays.plan import PlayPlan
from playrunner.plays.plan_cache import TTL
from tests.factories import Factory, task_play
from tests.processes import ServerProcess, clean_environment, seconds_until
from tests.worlds import PATH, ServiceWorld, body

# The other process must follow within TTL; this allows for a loaded machine's scheduling,
# and still fails a cache kept for many seconds.
OTHER_PROCESS_LIMIT = TTL + 2.0


def seconds_until_seen(call: Callable[[], str], expected: str) -> float:
    """Call until it gives ``expected``; how long that took (failing past the limit)."""
    return seconds_until(call, lambda seen: seen == expected, OTHER_PROCESS_LIMIT)


def test_play_changes_apply_at_once_here_and_within_a_second_elsewhere(
    database_url: str, factory: Factory, tmp_path: Path
) -> None:
    world = ServiceWorld(factory)
    admin = {"app-token": world.admin_token}
    play_id = str(world.play.id)
    env = clean_environment(PLAYRUNNER_DATABASE_URL=database_url)
    with (
        ServerProcess([], env, tmp_path) as here,
        ServerProcess([], env, tmp_path) as there,
        httpx.Client(base_url=here.url, timeout=30, headers=admin) as a,
        httpx.Client(base_url=there.url, timeout=30, headers=admin) as b,
    ):

        def triggered(client: httpx.Client) -> str:
            """The first task's title, or the refusal's text."""
            response = client.post(PATH, json=body(world.play, "acme"))
            if response.status_code != 200:
                return f"{response.status_code} {response.text}"
            run = a.get(response.headers["Location"])
            assert run.status_code == 200, run.text
            tasks = run.json()["tasks"]
            return f"{tasks[0]['title']} for {tasks[0]['assignee']}" if tasks else "no task"

        # Both processes keep the plan as it is.
        assert triggered(a) == triggered(b) == "Follow up with Acme for " + world.csm.email

        # Edited: a new title.
        edited = task_play()
        edited["actions"][0]["title"] = "Call {{ account.name }}"
        replaced = a.put(f"/api/v1/successplays/{play_id}", json=edited)
        assert replaced.status_code == 200, replaced.text
        assert triggered(a) == "Call Acme for " + world.csm.email
        seconds_until_seen(lambda: triggered(b), "Call Acme for " + world.csm.email)

        # The role the task goes to, renamed: the play follows the role.
        # (A plan kept with the old name would find nobody holding it, and give the task to
        # the runner.)
        renamed = a.patch(
            "/api/v1/account-roles/Success Manager", json={"name": "Customer Success Manager"}
        )
        assert renamed.status_code == 200, renamed.text
        assert triggered(a) == "Call Acme for " + world.csm.email
        seconds_until_seen(lambda: triggered(b), "Call Acme for " + world.csm.email)

        # Deactivated: "not found", as Totango answers for an inactive play.
        assert a.post(f"/api/v1/successplays/{play_id}/disable").status_code == 200
        assert triggered(a) == "400 SuccessPlay not found"
        seconds_until_seen(lambda: triggered(b), "400 SuccessPlay not found")

        # Active again, then deleted.
        assert a.post(f"/api/v1/successplays/{play_id}/enable").status_code == 200
        assert triggered(a) == "Call Acme for " + world.csm.email
        seconds_until_seen(lambda: triggered(b), "Call Acme for " + world.csm.email)
        assert a.delete(f"/api/v1/successplays/{play_id}?open_tasks=cancel").status_code == 204
        assert triggered(a) == "400 SuccessPlay not found"
        seconds_until_seen(lambda: triggered(b), "400 SuccessPlay not found")


def test_a_change_only_the_commit_flushes_still_makes_this_process_forget(
    database_url: str, factory: Factory
) -> None:
    """A unit of work that changes a play and leaves the flush to its commit: on the serving
    paths (SQLite's group commit, PostgreSQL's async session) the commit runs after the unit of
    work has handed over what waits for it, and the change must still reach the cache."""
    world = ServiceWorld(factory)
    tenant_id, play_id = world.tenant.id, world.play.id

    def plan(session: Session) -> PlayPlan | None:
        return plays_service.load_plan(session, tenant_id, play_id)

    def deactivate(session: Session) -> None:
        plays_service.get_play(session, tenant_id, play_id).active = False  # no flush

    async def scenario() -> tuple[PlayPlan | None, PlayPlan | None]:
        served = Database(database_url, serving=True)
        try:
            kept = await served.read(plan)
            await served.write(deactivate)
            return kept, await served.read(plan)
        finally:
            await served.aclose()

    kept, after = asyncio.run(scenario())
    assert kept is not None
    assert kept.active
    assert after is not None
    assert not after.active
