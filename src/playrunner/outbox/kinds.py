"""Every kind of outbox row the workers handle: announcements of new runs (expanded into
the next two), webhook deliveries and emails. (Above the
features that write them: they import the outbox, this imports them.)"""

from __future__ import annotations

from playrunner.notifications import sending
from playrunner.outbox.workers import Kind
from playrunner.runs import announcements
from playrunner.webhooks import delivery


def every_kind() -> list[Kind]:
    return [announcements.KIND, delivery.KIND, sending.KIND]
