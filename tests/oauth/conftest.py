"""Fixtures for the OAuth tests: a world with registered apps, an HTTP client that sees one
request at a time as a browser does, and a real browser (Chromium) for the consent page."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page

from playrunner.db import Database
from tests.browser import launch_chromium
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


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    # Module scope, not session: Playwright's sync API keeps an event loop running in this
    # thread while it is open, and later tests call asyncio.run().
    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    """A fresh page in its own context (no cookies from other tests)."""
    context = chromium.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()
