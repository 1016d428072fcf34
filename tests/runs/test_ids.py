"""A run and its items get time-ordered ids (UUID version 7, ``ids.time_ordered_id``): their
primary-key indexes grow at their end rather than at a random page."""

from __future__ import annotations

import time

from playrunner.automations import service as automations_service
from playrunner.db import Database
from playrunner.models import RunSource
from playrunner.users import service as users_service
from tests.factories import Factory
from tests.worlds import ServiceWorld


def test_a_run_and_its_task_have_ids_that_start_with_the_time_they_were_made(
    database: Database, factory: Factory
) -> None:
    world = ServiceWorld(factory)
    admin = users_service.principal_for(world.admin)
    made_ms = time.time_ns() // 1_000_000
    outcome = database.run_sync(
        lambda s: automations_service.run_manual_successplay(
            s, admin, str(world.play.id), "acme", RunSource.API
        )
    )
    ids = [outcome.run.id, *(task.id for task in outcome.tasks)]
    assert len(ids) == 2
    for made in ids:
        assert made.version == 7
        # The first 48 bits: Unix time in milliseconds.
        assert abs((made.int >> 80) - made_ms) < 60_000
