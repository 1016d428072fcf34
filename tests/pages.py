"""Using the web app's pages from tests, as a browser without scripts would: read a page's
forms, sign in, post a form with the token the page gave it."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import httpx

PASSWORD = "correct horse battery staple"


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hidden: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("type") == "hidden" and found.get("name"):
            self.hidden[str(found["name"])] = found.get("value") or ""


def hidden_fields(html: str) -> dict[str, str]:
    """The hidden inputs of a page (its forms' CSRF tokens, keys, ...)."""
    parser = _Inputs()
    parser.feed(html)
    return parser.hidden


def sign_in(browser: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    """Sign in through the sign-in form; the client keeps the session cookie."""
    page = browser.get("/sign-in")
    assert page.status_code == 200, page.text
    form = hidden_fields(page.text)
    form.update(email=email, password=password)
    return browser.post("/sign-in", data=form)


def post_form(
    browser: httpx.Client, page_url: str, action: str, fields: dict[str, Any]
) -> httpx.Response:
    """Open ``page_url`` and post ``fields`` to ``action`` with the page's hidden fields."""
    page = browser.get(page_url)
    assert page.status_code == 200, page.text
    return browser.post(action, data={**hidden_fields(page.text), **fields})
