"""Delivery workers as separate processes (`playrunner worker`), on the queue each deployment
uses: a worker killed with SIGKILL mid-delivery leaves the event to the next one, and several
workers share the work, each delivery handled by one of them."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.factories import Factory
from tests.processes import ServerProcess, clean_environment
from tests.services import require_redis
from tests.webhooks.receiver import Receiver
from tests.worlds import ServiceWorld, body, trigger

HOOKS = "/api/v1/webhooks"


@pytest.fixture(params=["database", "redis"])
def env(request: pytest.FixtureRequest, database_url: str) -> dict[str, str]:
    """The server's and workers' settings: the queue on the database's own storage (a SQLite
    file beside it, or PostgreSQL), or on Redis."""
    settings = {
        "PLAYRUNNER_DATABASE_URL": database_url,
        "PLAYRUNNER_WEBHOOK_WORKERS": "0",  # delivery is the worker processes' job
        "PLAYRUNNER_SECRET_KEY": "test-key-for-webhook-secrets",
        "PLAYRUNNER_WEBHOOKS_ALLOW_PRIVATE_NETWORKS": "true",
        "PLAYRUNNER_WEBHOOK_SWEEP_SECONDS": "0.5",
        "PLAYRUNNER_WEBHOOK_LEASE_SECONDS": "2",
        "PLAYRUNNER_WEBHOOK_TIMEOUT_SECONDS": "1",  # shorter than the lease, as it must be
        "PLAYRUNNER_WEBHOOK_RETRY_BASE_SECONDS": "0.2",
    }
    if request.param == "redis":
        settings["PLAYRUNNER_REDIS_URL"] = require_redis()
    return clean_environment(**settings)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def worker(env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "playrunner", "worker", "--threads", "2"],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_a_worker_killed_mid_delivery_leaves_the_event_to_the_next_one(
    env: dict[str, str], factory: Factory, tmp_path: Path, receiver: Receiver
) -> None:
    world = ServiceWorld(factory)
    headers = {"app-token": world.admin_token}
    with ServerProcess([], env, tmp_path) as server, httpx.Client(base_url=server.url) as http:
        hook = {"url": receiver.url, "events": ["run.created"]}
        endpoint = http.post(HOOKS, json=hook, headers=headers).json()
        assert trigger(http, world.admin_token, body(world.play, "acme")).status_code == 200

        receiver.hold.set()  # the receiver takes the request and does not answer
        first = worker(env, tmp_path)
        try:
            receiver.wait_for(lambda got: len(got) == 1)
        finally:
            first.kill()  # SIGKILL, mid-delivery
            first.wait()
        receiver.hold.clear()
        receiver.release.set()

        second = worker(env, tmp_path)
        try:
            received = receiver.wait_for(lambda got: len(got) == 2)
            deliveries = f"{HOOKS}/{endpoint['id']}/deliveries"
            receiver.wait_for(
                lambda _: http.get(deliveries, headers=headers).json()[0]["status"] == "delivered"
            )
        finally:
            stop(second)
    assert received[0].headers["webhook-id"] == received[1].headers["webhook-id"]
    assert received[0].body == received[1].body


def test_several_workers_share_the_deliveries_each_sent_once(
    env: dict[str, str], factory: Factory, tmp_path: Path, receiver: Receiver
) -> None:
    world = ServiceWorld(factory)
    headers = {"app-token": world.admin_token}
    workers = [worker(env, tmp_path), worker(env, tmp_path)]
    try:
        with ServerProcess([], env, tmp_path) as server, httpx.Client(base_url=server.url) as http:
            hook = {"url": receiver.url, "events": ["run.created", "task.created"]}
            assert http.post(HOOKS, json=hook, headers=headers).status_code == 201
            for _ in range(10):
                assert trigger(http, world.admin_token, body(world.play, "acme")).status_code == 200
            received = receiver.wait_for(lambda got: len(got) >= 20)
    finally:
        for process in workers:
            stop(process)
    ids = [r.headers["webhook-id"] for r in received]
    assert len(ids) == len(set(ids)) == 20
    assert sorted({json.loads(r.body)["type"] for r in received}) == ["run.created", "task.created"]
