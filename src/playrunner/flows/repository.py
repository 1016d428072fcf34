"""Queries for flows (Totango activity types)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from playrunner.models import Flow


def get_by_key(session: Session, tenant_id: str, key: str) -> Flow | None:
    return session.scalars(select(Flow).where(Flow.tenant_id == tenant_id, Flow.key == key)).first()


def get(session: Session, tenant_id: str, flow_pk: uuid.UUID) -> Flow | None:
    flow = session.get(Flow, flow_pk)
    return flow if flow is not None and flow.tenant_id == tenant_id else None


def list_all(session: Session, tenant_id: str) -> list[Flow]:
    return list(session.scalars(select(Flow).where(Flow.tenant_id == tenant_id).order_by(Flow.key)))


def add(session: Session, flow: Flow) -> Flow:
    session.add(flow)
    session.flush()
    return flow
