"""Every kind of outbox row the workers send: webhook deliveries and emails. (Above the
features that write them: they import the outbox, this imports them.)"""

from __future__ import annotations

from playrunner.notifications import sending
from playrunner.outbox.workers import Kind
from playrunner.webhooks import delivery


def every_kind() -> list[Kind]:
    return [delivery.KIND, sending.KIND]
