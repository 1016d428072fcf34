"""Queries for tenants (Totango "services")."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from playrunner.models import Tenant


def get(session: Session, tenant_id: str) -> Tenant | None:
    return session.get(Tenant, tenant_id)


def list_all(session: Session) -> list[Tenant]:
    return list(session.scalars(select(Tenant).order_by(Tenant.created_at, Tenant.id)))


def add(session: Session, tenant: Tenant) -> Tenant:
    session.add(tenant)
    session.flush()
    return tenant
