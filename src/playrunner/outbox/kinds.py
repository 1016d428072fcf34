"""Every kind of outbox row the workers handle: checks of event criteria (which may run
plays), announcements of new runs (expanded into the next two), webhook deliveries and
emails. (Above the
features that write them: they import the outbox, this imports them.)"""

from __future__ import annotations

from playrunner.criteria import service as criteria_service
from playrunner.inbound import service as inbound_service
from playrunner.notifications import sending
from playrunner.outbox.workers import Kind
from playrunner.runs import announcements
from playrunner.webhooks import delivery


def every_kind() -> list[Kind]:
    return [
        inbound_service.KIND,
        criteria_service.KIND,
        announcements.KIND,
        delivery.KIND,
        sending.KIND,
    ]
