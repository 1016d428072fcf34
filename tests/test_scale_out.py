"""Several server processes: the shared rate limit is exact, and SQLite loses no writes."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from playrunner.db import Database
from playrunner.models import Run, Task
from tests.factories import Factory
from tests.processes import ServerProcess, clean_environment
from tests.services import require_redis
from tests.worlds import PATH, ServiceWorld


async def fire(urls: list[str], token: str, payload: dict[str, str], calls: int) -> Counter[int]:
    """``calls`` requests at once, spread over ``urls``; how many got each status.

    Each request on its own connection: a POST is not retried, so the client must never send
    one on a keep-alive connection the server is closing at that moment (a loaded CI machine
    made that race real)."""
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        responses = await asyncio.gather(
            *(
                client.post(urls[n % len(urls)] + PATH, json=payload, headers={"app-token": token})
                for n in range(calls)
            )
        )
    return Counter(response.status_code for response in responses)


def test_two_servers_sharing_redis_accept_exactly_the_limit(
    database_url: str, database: Database, factory: Factory, tmp_path: Path
) -> None:
    world = ServiceWorld(factory)
    env = clean_environment(
        PLAYRUNNER_DATABASE_URL=database_url,
        PLAYRUNNER_REDIS_URL=require_redis(),
        PLAYRUNNER_RATE_LIMIT="100/minute",
    )
    payload = {"successplayId": str(world.play.id), "accountId": "acme"}
    with ServerProcess([], env, tmp_path) as first, ServerProcess([], env, tmp_path) as second:
        statuses = asyncio.run(fire([first.url, second.url], world.admin_token, payload, 300))

    assert statuses == {200: 100, 429: 200}
    with database.session(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(Run)) == 100


@pytest.mark.sqlite_only
def test_sqlite_with_two_workers_loses_no_writes(
    database_url: str, database: Database, factory: Factory, tmp_path: Path
) -> None:
    world = ServiceWorld(factory)
    env = clean_environment(
        PLAYRUNNER_DATABASE_URL=database_url, PLAYRUNNER_RATE_LIMIT="100000/minute"
    )
    payload = {"successplayId": str(world.play.id), "accountId": "acme"}
    with ServerProcess([], env, tmp_path, workers=2) as server:
        statuses = asyncio.run(fire([server.url], world.admin_token, payload, 400))

    assert statuses == {200: 400}
    with database.session(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(Run)) == 400
        assert session.scalar(select(func.count()).select_from(Task)) == 400
