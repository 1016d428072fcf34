"""Callers of the management API over real HTTP: an admin, a regular user, and another
service's admin, each with their own token."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from playrunner.models import Tenant, User
from tests.factories import Factory


def client(base_url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, headers={"app-token": token}, timeout=30)


class ApiWorld:
    def __init__(self, factory: Factory, base_url: str) -> None:
        self.factory = factory
        self.tenant: Tenant = factory.tenant()
        self.admin_user: User = factory.admin(self.tenant)
        self.user_user: User = factory.user(self.tenant)
        self.other_tenant: Tenant = factory.tenant()
        self.admin = client(base_url, factory.token(self.admin_user))
        self.user = client(base_url, factory.token(self.user_user))
        self.stranger = client(base_url, factory.token(factory.admin(self.other_tenant)))

    def close(self) -> None:
        for http in (self.admin, self.user, self.stranger):
            http.close()


@contextmanager
def api_world(factory: Factory, base_url: str) -> Iterator[ApiWorld]:
    world = ApiWorld(factory, base_url)
    try:
        yield world
    finally:
        world.close()


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """Assert an RFC 9457 problem with this status; return it."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    document: dict[str, Any] = response.json()
    assert document["status"] == status
    return document
