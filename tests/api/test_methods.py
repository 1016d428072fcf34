"""A method a path does not serve answers 405 naming every method it does serve, on every
path of the app: the API's, the pages', the docs' and the static files'."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

import httpx
import pytest
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from playrunner.app import create_app
from playrunner.config import Settings
from playrunner.ui.routes import PageRoute
from tests.live_server import LiveServer

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
# A file under each mount: static files are read with GET and HEAD only.
MOUNTED_FILES = {
    "/static": "/static/ui/app.css",
    "/static/api-docs": "/static/api-docs/favicon.png",
}
STATIC_METHODS = frozenset({"GET", "HEAD"})


def _declared() -> tuple[dict[str, set[str]], set[str]]:
    """Each path template's methods as its routes declare them, and the page templates."""
    app = create_app(Settings(database_url="sqlite:///:memory:"))
    declared: dict[str, set[str]] = defaultdict(set)
    pages = set()
    for route in iter_route_contexts(app.routes):
        assert route.path is not None
        if isinstance(route.original_route, Mount):
            declared[route.path] |= STATIC_METHODS
            continue
        declared[route.path] |= set(route.methods or ())
        if isinstance(route.original_route, PageRoute):
            pages.add(route.path)
    return declared, pages


DECLARED, PAGES = _declared()


def _concrete(template: str) -> str:
    return MOUNTED_FILES.get(template) or re.sub(r"\{[^}]+\}", "x1", template)


def _matches(template: str, url: str) -> bool:
    if template in MOUNTED_FILES:
        return url.startswith(template + "/")
    return re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), url) is not None


def expected_allow(url: str) -> set[str]:
    """OpenAPI's rule: a concrete path's own methods (``/api/v1/accounts/bulk`` is not an
    account's URL); otherwise those of every template the URL fits."""
    if url in DECLARED:
        return DECLARED[url]
    return set().union(*(m for t, m in DECLARED.items() if _matches(t, url)))


def _cases() -> Iterator[tuple[str, str]]:
    for template in sorted(DECLARED):
        url = _concrete(template)
        for method in METHODS:
            if method not in expected_allow(url):
                yield template, method


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    # No test here reaches the database: routing refuses the method before any handler.
    path = tmp_path_factory.mktemp("methods") / "playrunner.db"
    with (
        LiveServer(create_app(Settings(database_url=f"sqlite:///{path}"))) as server,
        httpx.Client(base_url=server.url, timeout=10) as client,
    ):
        yield client


def test_the_app_has_paths_with_several_methods_to_check() -> None:
    several = [t for t, methods in DECLARED.items() if len(methods) > 1]
    assert "/api/v1/accounts/{account_id}" in several
    assert DECLARED["/api/v1/accounts/{account_id}"] == {"GET", "PUT", "PATCH", "DELETE"}
    assert len(several) > 30


def test_a_concrete_path_is_not_taken_for_a_template(live: httpx.Client) -> None:
    """GET /api/v1/accounts/bulk is not a read of the account "bulk": the document says the
    path is the bulk call, which is POST only."""
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        response = live.request(method, "/api/v1/accounts/bulk", headers={"app-token": "x"})
        assert (response.status_code, response.headers["allow"]) == (405, "POST"), method
    response = live.delete("/api/v1/users/me", headers={"app-token": "x"})
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["allow"].split(",")} == {"GET", "PATCH"}
    # A template still serves every other value.
    assert live.get("/api/v1/accounts/bulky", headers={"app-token": "x"}).status_code == 401


def test_the_openapi_paths_are_among_the_paths_checked(live: httpx.Client) -> None:
    spec = live.get("/openapi.json").json()
    for path, item in spec["paths"].items():
        assert {m.upper() for m in item} <= DECLARED[path], path


@pytest.mark.parametrize(("template", "method"), list(_cases()))
def test_405_lists_every_method_of_the_path(live: httpx.Client, template: str, method: str) -> None:
    url = _concrete(template)
    response = live.request(method, url, headers={"Accept": "application/json"})

    assert response.status_code == 405, response.text
    allowed = expected_allow(url)
    assert {m.strip() for m in response.headers["allow"].split(",")} == allowed
    if method == "HEAD":
        return  # no body to read
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert (problem["status"], problem["code"]) == (405, "method_not_allowed")
    assert problem["detail"].startswith(f"{method} is not allowed on {url}; it allows ")
    named = problem["detail"].split("; it allows ")[1].split(", ")
    assert set(named) == allowed


@pytest.mark.parametrize("template", sorted(PAGES))
def test_a_browser_gets_a_405_page_with_the_same_allow(live: httpx.Client, template: str) -> None:
    url = _concrete(template)
    method = next(m for m in ("PUT", "DELETE") if m not in expected_allow(url))
    response = live.request(method, url, headers={"Accept": "text/html"})

    assert response.status_code == 405
    assert response.headers["content-type"].startswith("text/html")
    assert {m.strip() for m in response.headers["allow"].split(",")} == expected_allow(url)
    assert f"{method} is not allowed on {url}; it allows" in response.text
