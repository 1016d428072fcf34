"""The request's ``Host`` header is the client's to choose: no URL Playrunner writes is built
from it. Redirects are relative; absolute URLs come from the configured base URL."""

from __future__ import annotations

import httpx
import pytest

from playrunner.app import create_app
from playrunner.config import Settings
from tests.live_server import LiveServer
from tests.worlds import PagesWorld

FORGED = {"Host": "evil.example"}
# The web app's pages are not in the OpenAPI document.
PAGES = {
    "/sign-in",
    "/my-work",
    "/successplays",
    "/accounts",
    "/forms",
    "/runs",
    "/users",
    "/tokens",
}


def other_spelling(path: str) -> str:
    return path.rstrip("/") if path.endswith("/") else path + "/"


@pytest.mark.sqlite_only
def test_trailing_slash_redirects_are_relative_on_every_route(
    server: LiveServer, http: httpx.Client
) -> None:
    documented = create_app(Settings(database_url="sqlite://")).openapi()["paths"]
    paths = {path.replace("{", "").replace("}", "") for path in documented} | PAGES
    for path in sorted(paths):
        answer = http.get(server.url + other_spelling(path) + "?page=2", headers=FORGED)
        assert answer.status_code == 307, path
        assert answer.headers["location"] == path + "?page=2", path


@pytest.mark.sqlite_only
def test_a_redirect_keeps_the_path_as_sent(server: LiveServer, http: httpx.Client) -> None:
    """An id holding "?", "#" or "%" stays in the path, still encoded."""
    for sent in ("a%3Fb", "a%23b", "a%25b"):
        answer = http.get(f"{server.url}/api/v1/accounts/{sent}/", headers=FORGED)
        assert answer.status_code == 307
        assert answer.headers["location"] == f"/api/v1/accounts/{sent}"


@pytest.mark.sqlite_only
def test_paths_that_would_read_as_another_host_are_not_redirected(
    server: LiveServer, http: httpx.Client
) -> None:
    for path in ("//evil.example/", "//evil.example", "/\\evil.example/"):
        answer = http.get(server.url + path, headers=FORGED)
        assert answer.status_code == 404, path
        assert "location" not in answer.headers


@pytest.mark.sqlite_only
def test_oauth_metadata_names_the_server_as_configured_not_as_the_host_header(
    server: LiveServer, http: httpx.Client
) -> None:
    metadata = http.get("/.well-known/oauth-authorization-server", headers=FORGED).json()
    assert metadata["issuer"] == server.url
    assert metadata["token_endpoint"] == server.url + "/oauth/token"
    assert "evil" not in str(metadata)


@pytest.mark.settings(public_url="https://playrunner.example.com")
def test_with_a_public_url_the_oauth_metadata_names_it(http: httpx.Client) -> None:
    metadata = http.get("/.well-known/oauth-authorization-server", headers=FORGED).json()
    assert metadata["issuer"] == "https://playrunner.example.com"


def test_a_play_page_opened_with_a_forged_host_prints_the_configured_address(
    pages: PagesWorld,
) -> None:
    admin = pages.signed_in(pages.admin)
    page = admin.get(f"/successplays/{pages.task_play.id}", headers=FORGED).text
    assert "evil.example" not in page
    assert "curl -L &#39;http://127.0.0.1:8000/api/v2/automations/run-manual-successplay" in page
