"""Deleting a flow: what stays behind."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from playrunner.automations.service import run_manual_successplay
from playrunner.clock import utcnow
from playrunner.db import Database
from playrunner.errors import Conflict
from playrunner.flows import service as flows_service
from playrunner.models import Flow, PlayAction, RunSource, SuccessPlay, Task
from tests.factories import Factory, task_play


def flow_play(flow: str) -> dict[str, Any]:
    return task_play(
        actions=[{"type": "create_task", "title": "t", "description": "d", "flow": flow}]
    )


def test_tasks_and_deleted_plays_outlive_their_flow(factory: Factory, database: Database) -> None:
    tenant = factory.tenant()
    admin = factory.admin(tenant)
    factory.account(tenant, "acme", success_manager=admin)
    factory.flow(tenant, "renewal")
    play = factory.play(tenant, flow_play("renewal"))
    with database.session() as session:
        run_manual_successplay(
            session, factory.principal(admin), str(play.id), "acme", RunSource.API
        )
        assert session.scalars(select(Task.flow_id)).one() is not None

    with database.session() as session, pytest.raises(Conflict, match="Follow-up"):
        flows_service.delete_flow(session, tenant.id, "renewal")

    # Deleted plays are kept for their runs' history; they no longer hold the flow.
    with database.session() as session:
        stored = session.get(SuccessPlay, play.id)
        assert stored is not None
        stored.deleted_at = utcnow()
    with database.session() as session:
        flows_service.delete_flow(session, tenant.id, "renewal")

    with database.session(read_only=True) as session:
        assert session.scalars(select(Flow)).all() == []
        task = session.scalars(select(Task)).one()
        assert (task.title, task.flow_id) == ("t", None)
        assert session.scalars(select(PlayAction.flow_id)).one() is None


def test_names_every_play_that_uses_it(factory: Factory, database: Database) -> None:
    tenant = factory.tenant()
    factory.flow(tenant, "renewal")
    factory.play(tenant, {**flow_play("renewal"), "name": "B play"})
    factory.play(tenant, {**flow_play("renewal"), "name": "A play"})
    with database.session() as session, pytest.raises(Conflict) as caught:
        flows_service.delete_flow(session, tenant.id, "renewal")
    assert "SuccessPlay 'A play', 'B play';" in caught.value.message
