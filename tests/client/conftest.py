"""Fixtures for the SDK: a Playrunner world on a live server, and the Totango stand-in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.client.totango_standin import FakeTime, TotangoStandIn
from tests.client.worlds import TOTANGO_EVENT_PLAY, TOTANGO_OFF_PLAY, TOTANGO_PLAY
from tests.factories import Factory
from tests.live_server import LiveServer
from tests.worlds import PlayrunnerWorld


@pytest.fixture
def world(factory: Factory, server: LiveServer) -> PlayrunnerWorld:
    return PlayrunnerWorld(factory, server.url)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def totango(fake_time: FakeTime) -> Iterator[TotangoStandIn]:
    with TotangoStandIn(
        clock=fake_time.clock,
        plays={TOTANGO_PLAY: "manual", TOTANGO_EVENT_PLAY: "event", TOTANGO_OFF_PLAY: "inactive"},
        accounts={"acme", "globex", "initech"},
    ) as standin:
        yield standin
