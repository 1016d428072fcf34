"""Flows (activity types): the category a task belongs to, e.g. ``onboarding``."""

from __future__ import annotations

import re
import uuid

from sqlalchemy.orm import Session

from playrunner.errors import Conflict, InvalidRequest, NotFound
from playrunner.flows import repository
from playrunner.models import Flow
from playrunner.plays import usage

_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")


def create_flow(session: Session, tenant_id: str, key: str, name: str) -> Flow:
    if not _KEY.fullmatch(key):
        raise InvalidRequest(
            f"Flow id {key!r} must be lowercase letters, digits, '-' or '_'"
            " (at most 100, starting with a letter or digit)",
            field="id",
        )
    if repository.get_by_key(session, tenant_id, key) is not None:
        raise Conflict(f"Flow {key!r} already exists", field="id")
    return repository.add(session, Flow(tenant_id=tenant_id, key=key, name=name.strip() or key))


def find_flow(session: Session, tenant_id: str, key: str) -> Flow | None:
    return repository.get_by_key(session, tenant_id, key)


def keys_by_pk(session: Session, flow_pks: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    return repository.keys_by_pk(session, flow_pks)


def get_flow(session: Session, tenant_id: str, key: str) -> Flow:
    flow = repository.get_by_key(session, tenant_id, key)
    if flow is None:
        raise NotFound(f"Flow {key!r} not found", field="flow")
    return flow


def list_flows(session: Session, tenant_id: str) -> list[Flow]:
    return repository.list_all(session, tenant_id)


def rename_flow(session: Session, tenant_id: str, key: str, name: str) -> Flow:
    """Change a flow's display name; its id, which tasks and plays use, stays."""
    flow = get_flow(session, tenant_id, key)
    name = name.strip()
    if not name:
        raise InvalidRequest("Flow name must not be empty", field="name")
    flow.name = name
    session.flush()
    return flow


def delete_flow(session: Session, tenant_id: str, key: str) -> None:
    """Delete a flow. Refused while a SuccessPlay creates tasks in it; tasks already in it
    stay, with no flow."""
    flow = repository.lock_by_key(session, tenant_id, key)
    if flow is None:
        raise NotFound(f"Flow {key!r} not found", field="flow")
    plays = usage.plays_using_flow(session, flow.id)
    if plays:
        raise Conflict(
            f"Flow {key!r} is used by SuccessPlay {', '.join(repr(p) for p in plays)};"
            " change or delete those plays first",
            field="id",
        )
    usage.release_flow(session, flow.id)
    repository.delete(session, flow)
