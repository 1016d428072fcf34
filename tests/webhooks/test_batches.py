"""Deliveries are sent a batch at a time: one claim for the batch (each delivery has one
winner), one connection per receiver, the rest of an endpoint's batch given back untried once
it could not be reached, and, in a serving process, only once no request is in flight."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from playrunner.app import create_app
from playrunner.clock import utcnow
from playrunner.config import Settings
from playrunner.db import Database
from playrunner.models import RunAnnouncement, WebhookDelivery
from playrunner.outbox import lease
from playrunner.runs import announcements
from playrunner.webhooks import delivery
from playrunner.webhooks import service as webhooks_service
from playrunner.webhooks.schemas import EndpointCreate
from tests.factories import Factory
from tests.live_server import LiveServer
from tests.webhooks.receiver import Receiver
from tests.webhooks.test_delivery import FAST, register
from tests.worlds import ServiceWorld, body, run_play, trigger

pytestmark = pytest.mark.rate_limit("100000/minute")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def closed_port() -> int:
    """A loopback port nothing listens on (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def deliveries(database: Database) -> dict[str, list[WebhookDelivery]]:
    """Every delivery, by its endpoint's id."""
    found: dict[str, list[WebhookDelivery]] = {}
    with database.session(read_only=True) as session:
        for row in session.scalars(select(WebhookDelivery)):
            found.setdefault(str(row.endpoint_id), []).append(row)
    return found


def pending_announcements(database: Database) -> list[uuid.UUID]:
    with database.session(read_only=True) as session:
        return list(
            session.scalars(select(RunAnnouncement.id).where(RunAnnouncement.status == "pending"))
        )


def test_a_batch_is_claimed_once_and_an_unreachable_endpoints_rest_is_given_back(
    settings: Settings, database: Database, factory: Factory, receiver: Receiver
) -> None:
    world = ServiceWorld(factory)
    settings = settings.model_copy(update=FAST)
    admin = factory.principal(world.admin)
    with database.session() as session:
        up = webhooks_service.create_endpoint(
            session, admin, EndpointCreate(url=receiver.url, events=["task.created"]), settings
        )
        down = webhooks_service.create_endpoint(
            session,
            admin,
            EndpointCreate(url=f"http://127.0.0.1:{closed_port()}/h", events=["task.created"]),
            settings,
        )
    for _ in range(3):
        run_play(database, world.admin, world.play.id, "acme")
    assert deliveries(database) == {}  # the runs wrote their announcements, no more
    assert announcements.expand_many(database, settings, pending_announcements(database)) == {}
    ids = [d.id for rows in deliveries(database).values() for d in rows]
    assert len(ids) == 6

    # Another worker holds the batch: nothing is sent twice.
    now = utcnow()
    with database.session() as session:
        held = lease.claim_many(session, WebhookDelivery, ids, now, now.replace(year=now.year + 1))
        assert sorted(held) == sorted(ids)
        assert lease.claim_many(session, WebhookDelivery, ids, now, now) == []
        lease.release(session, WebhookDelivery, ids)

    waits = delivery.attempt_many(database, settings, ids)

    assert len(receiver.received) == 3  # one connection's worth, each event once
    after = deliveries(database)
    assert [d.status for d in after[str(up.id)]] == ["delivered"] * 3
    tried = [d for d in after[str(down.id)] if d.attempts]
    given_back = [d for d in after[str(down.id)] if not d.attempts]
    assert len(tried) == 1
    assert "ConnectError" in (tried[0].last_error or "")
    assert set(waits) == {tried[0].id}  # its retry is scheduled; the others wait for the sweep
    assert len(given_back) == 2
    assert all(d.status == "pending" and d.locked_until is None for d in given_back)


@pytest.mark.sqlite_only
def test_a_servers_workers_send_once_no_request_is_in_flight(
    settings: Settings, factory: Factory, receiver: Receiver
) -> None:
    """A request held open (its body not sent yet) keeps the server's workers waiting; the
    events go out once it is answered."""
    world = ServiceWorld(factory)
    app = create_app(settings.model_copy(update={**FAST, "outbox_yield_seconds": 600}))
    with LiveServer(app) as live, httpx.Client(base_url=live.url, timeout=30) as client:
        register(client, world.admin_token, receiver.url, ["run.created"])
        host, port = live.url.removeprefix("http://").split(":")
        slow = socket.create_connection((host, int(port)))
        slow.sendall(
            b"POST /api/v1/accounts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + b"app-token: "
            + world.admin_token.encode()
            + b"\r\nContent-Length: 2\r\n\r\n"
        )
        try:
            answer = trigger(client, world.admin_token, body(world.play, "acme"))
            assert (answer.status_code, answer.text) == (200, "Success")
            time.sleep(1.5)  # several sweeps' and wake-ups' worth: the workers hold back
            assert receiver.received == []
            slow.sendall(b"{}")
            assert slow.recv(100).startswith(b"HTTP/1.1 4")  # answered (a bad account)
        finally:
            slow.close()
        receiver.wait_for(lambda got: len(got) == 1)
