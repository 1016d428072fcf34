"""What the SDK and CLI tests run against: a Playrunner world, and the Totango stand-in's ids."""

from __future__ import annotations

from typing import Any

from playrunner.client import Client
from playrunner.models import SuccessPlay, Tenant, User
from tests.client.totango_standin import FakeTime, TotangoStandIn
from tests.factories import Factory, task_play

TOTANGO_PLAY = "66b6ea0c-e855-40a1-b875-d4dd96a58638"
TOTANGO_EVENT_PLAY = "0b7a4d2e-5d0c-4a53-9a3e-6f0f4c1d2b11"
TOTANGO_OFF_PLAY = "9c4e7f10-2a8b-4c7d-8e6f-1a2b3c4d5e6f"

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


class PlayrunnerWorld:
    """One service on a live Playrunner: an admin and a user with tokens, accounts, plays."""

    def __init__(self, factory: Factory, url: str) -> None:
        self.url = url
        self.tenant: Tenant = factory.tenant()
        self.admin: User = factory.admin(self.tenant)
        self.user: User = factory.user(self.tenant)
        self.csm: User = factory.user(self.tenant)
        self.admin_token = factory.token(self.admin)
        self.user_token = factory.token(self.user)
        for account_id, segment in (("acme", "Enterprise"), ("globex", "SMB"), ("initech", "SMB")):
            factory.account(
                self.tenant,
                account_id,
                name=account_id.title(),
                success_manager=self.csm,
                attributes={"segment": segment},
            )
        factory.form(self.tenant)
        self.play: SuccessPlay = factory.play(self.tenant)
        self.form_play: SuccessPlay = factory.play(self.tenant, FORM_PLAY)
        self.event_play = factory.play(self.tenant, task_play(triggers=["event"]))
        self.inactive_play = factory.play(self.tenant, task_play(active=False))
        self.skip_play = factory.play(self.tenant, task_play(duplicate_policy="skip_if_open"))

    def client(self, token: str | None = None, **options: Any) -> Client:
        return Client(token or self.admin_token, self.url, **options)


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
