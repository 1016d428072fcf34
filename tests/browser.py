"""A real browser for tests of server-rendered pages: Debian's Chromium driven by Playwright.

Playwright cannot download its own browsers here, so it drives ``/usr/bin/chromium``
(``scripts/browser-up`` installs it; ``PLAYRUNNER_TEST_CHROMIUM`` points elsewhere). As with
PostgreSQL and Redis, a missing browser fails the tests in CI (``CI=true``) and skips them,
with the reason, elsewhere.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

CHROMIUM = Path(os.environ.get("PLAYRUNNER_TEST_CHROMIUM", "/usr/bin/chromium"))
# Assertions wait as long as the pages' own actions (tests/ui/conftest.py: 30 s): on a loaded
# machine a sign-in (an argon2 check, then a redirect) outlasted expect's 5 s.
expect.set_options(timeout=30_000)

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@contextmanager
def launch_chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = f"Chromium is not installed at {CHROMIUM}; run scripts/browser-up"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI requires a browser: {message}")
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
