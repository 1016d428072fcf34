"""Fixtures for the OAuth tests: a world with registered apps, and an HTTP client that sees
one request at a time as a browser does."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from playrunner.db import Database
from tests.factories import Factory
from tests.live_server import LiveServer
from tests.oauth.helpers import OAuthWorld


@pytest.fixture
def oauth(factory: Factory, database: Database, server: LiveServer) -> OAuthWorld:
    return OAuthWorld(factory, database, server.url)


@pytest.fixture
def browser(server: LiveServer) -> Iterator[httpx.Client]:
    """A client that keeps cookies and does not follow redirects, like a browser's view of
    one request at a time."""
    with httpx.Client(base_url=server.url, timeout=30, follow_redirects=False) as client:
        yield client
