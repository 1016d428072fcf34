"""Flows (activity types): the category a task belongs to, e.g. ``onboarding``."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from playrunner.errors import Conflict, InvalidRequest, NotFound
from playrunner.flows import repository
from playrunner.models import Flow

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")


def create_flow(session: Session, tenant_id: str, key: str, name: str) -> Flow:
    if not _KEY.match(key):
        raise InvalidRequest(
            f"Flow id {key!r} must be lowercase letters, digits, '-' or '_'", field="key"
        )
    if repository.get_by_key(session, tenant_id, key) is not None:
        raise Conflict(f"Flow {key!r} already exists", field="key")
    return repository.add(session, Flow(tenant_id=tenant_id, key=key, name=name.strip() or key))


def get_flow(session: Session, tenant_id: str, key: str) -> Flow:
    flow = repository.get_by_key(session, tenant_id, key)
    if flow is None:
        raise NotFound(f"Flow {key!r} not found", field="flow")
    return flow


def list_flows(session: Session, tenant_id: str) -> list[Flow]:
    return repository.list_all(session, tenant_id)
