"""Fixtures for journeys through the web app in a real browser: the pages' world on a live
server, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page

from playrunner.db import Database
from tests.browser import launch_chromium
from tests.factories import Factory
from tests.live_server import LiveServer
from tests.worlds import PagesWorld


@pytest.fixture
def journey(factory: Factory, database: Database, server: LiveServer) -> Iterator[PagesWorld]:
    world = PagesWorld(factory, database, lambda: httpx.Client(base_url=server.url, timeout=30))
    world.base_url = server.url
    yield world
    world.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    # Module scope, not session: Playwright's sync API keeps an event loop running in this
    # thread while it is open, and later tests call asyncio.run().
    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def page(chromium: Browser, server: LiveServer) -> Iterator[Page]:
    """A fresh page in its own context (no cookies from other tests), on the live server."""
    context = chromium.new_context(base_url=server.url)
    # Generous: a waiting limit, not a measure of speed. Under a full parallel suite on a
    # loaded 2-core machine a page load once took over 10 s.
    context.set_default_timeout(30_000)
    try:
        yield context.new_page()
    finally:
        context.close()
