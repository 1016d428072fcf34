"""Queries for flows (Totango activity types)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from playrunner.models import Flow


def get_by_key(session: Session, tenant_id: str, key: str) -> Flow | None:
    return session.scalars(select(Flow).where(Flow.tenant_id == tenant_id, Flow.key == key)).first()


def lock_by_key(session: Session, tenant_id: str, key: str) -> Flow | None:
    """The flow, locked (on PostgreSQL) so no play can start using it until we are done."""
    return session.scalars(
        select(Flow).where(Flow.tenant_id == tenant_id, Flow.key == key).with_for_update()
    ).first()


def get(session: Session, tenant_id: str, flow_pk: uuid.UUID) -> Flow | None:
    flow = session.get(Flow, flow_pk)
    return flow if flow is not None and flow.tenant_id == tenant_id else None


def list_all(session: Session, tenant_id: str) -> list[Flow]:
    return list(session.scalars(select(Flow).where(Flow.tenant_id == tenant_id).order_by(Flow.key)))


def add(session: Session, flow: Flow) -> Flow:
    session.add(flow)
    session.flush()
    return flow


def delete(session: Session, flow: Flow) -> None:
    """Delete the flow; its tasks stay, with no flow (the foreign key sets it to NULL)."""
    session.delete(flow)
    session.flush()


def keys_by_pk(session: Session, flow_pks: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not flow_pks:
        return {}
    rows = session.execute(select(Flow.id, Flow.key).where(Flow.id.in_(flow_pks)))
    return {row[0]: row[1] for row in rows}
