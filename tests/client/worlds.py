"""The Totango stand-in's ids and a client for it (the Playrunner side is ``tests.worlds``)."""

from __future__ import annotations

from typing import Any

from playrunner.client import Client
from tests.client.totango_standin import FakeTime, TotangoStandIn

TOTANGO_PLAY = "66b6ea0c-e855-40a1-b875-d4dd96a58638"
TOTANGO_EVENT_PLAY = "0b7a4d2e-5d0c-4a53-9a3e-6f0f4c1d2b11"
TOTANGO_OFF_PLAY = "9c4e7f10-2a8b-4c7d-8e6f-1a2b3c4d5e6f"


def totango_client(
    standin: TotangoStandIn, fake_time: FakeTime, token: str = "admin-token", **options: Any
) -> Client:
    """A client for the stand-in, as it would be for api.totango.com."""
    return Client(
        token,
        standin.url,
        flavor="totango",
        clock=fake_time.clock,
        sleep=fake_time.sleep,
        **options,
    )
