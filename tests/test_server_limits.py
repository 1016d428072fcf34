"""What `playrunner serve` does before any of Playrunner's code sees a request: bounded request
heads, slow and idle clients disconnected, `Upgrade: h2c` served as HTTP/1.1 with its body,
bodies that never finish refused, and forwarded headers believed only from a trusted proxy.

Real processes and raw sockets: these are the server's behaviours, not the app's."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.factories import Factory
from tests.processes import ServerProcess, clean_environment
from tests.worlds import PATH, ServiceWorld

HEADER_TIMEOUT = 1.0


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    env = clean_environment(
        PLAYRUNNER_DATABASE_URL=database_url,
        PLAYRUNNER_HEADER_TIMEOUT_SECONDS=str(HEADER_TIMEOUT),
        PLAYRUNNER_BODY_TIMEOUT_SECONDS="1",
    )
    with ServerProcess([], env, tmp_path) as process:
        yield process


def connect(server: ServerProcess) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def read_all(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (or 10 s pass)."""
    received = b""
    try:
        while chunk := connection.recv(65536):
            received += chunk
    except (ConnectionResetError, TimeoutError):
        pass
    return received


def exchange(server: ServerProcess, request: bytes) -> bytes:
    with connect(server) as connection:
        # The server may answer and close before it has read everything.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.sendall(request)
        return read_all(connection)


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def closed_within(connection: socket.socket, seconds: float) -> float | None:
    """How long until the server closes ``connection``, if it does within ``seconds``."""
    started = time.monotonic()
    connection.settimeout(seconds)
    try:
        while connection.recv(65536):
            pass
    except TimeoutError:
        return None
    except ConnectionResetError:
        pass
    return time.monotonic() - started


@pytest.mark.sqlite_only
def test_a_request_head_larger_than_the_limit_gets_431(server: ServerProcess) -> None:
    huge = b"x" * (1024 * 1024)
    answer = exchange(
        server, b"GET /api/v2/plays HTTP/1.1\r\nHost: a\r\nX-Big: " + huge + b"\r\n\r\n"
    )
    assert status_of(answer) == 431


@pytest.mark.sqlite_only
def test_too_many_headers_get_431(server: ServerProcess) -> None:
    headers = b"".join(b"X-H%d: v\r\n" % n for n in range(5000))
    answer = exchange(server, b"GET /api/v2/plays HTTP/1.1\r\nHost: a\r\n" + headers + b"\r\n")
    assert status_of(answer) == 431
    # The server is fine for everyone else.
    assert httpx.get(server.url + "/healthz").status_code == 200


@pytest.mark.sqlite_only
def test_slow_and_idle_clients_are_disconnected_and_do_not_hold_the_server(
    server: ServerProcess,
) -> None:
    slow = [connect(server) for _ in range(200)]
    for connection in slow:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: a\r\n")  # never finished
    idle = connect(server)
    idle.sendall(b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
    assert idle.recv(65536).startswith(b"HTTP/1.1 200")

    # While they hang on, others are served.
    assert httpx.get(server.url + "/healthz", timeout=5).status_code == 200

    assert closed_within(idle, HEADER_TIMEOUT + 5) is not None
    assert all(closed_within(connection, HEADER_TIMEOUT + 5) is not None for connection in slow)
    for connection in [*slow, idle]:
        connection.close()


def test_a_post_asking_to_upgrade_to_h2c_is_served_as_http_1_with_its_body(
    database_url: str, factory: Factory, tmp_path: Path
) -> None:
    world = ServiceWorld(factory)
    env = clean_environment(
        PLAYRUNNER_DATABASE_URL=database_url,
        PLAYRUNNER_HEADER_TIMEOUT_SECONDS=str(HEADER_TIMEOUT),  # idle: closed after the answer
    )
    body = json.dumps({"successplayId": str(world.play.id), "accountId": "acme"}).encode()
    upgrade = (
        b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
        b"HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n"
    )
    with ServerProcess([], env, tmp_path) as server:
        trigger = exchange(
            server,
            b"POST "
            + PATH.encode()
            + b" HTTP/1.1\r\nHost: a\r\n"
            + upgrade
            + b"app-token: "
            + world.admin_token.encode()
            + b"\r\n"
            + b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
            + body,
        )
        form = b"grant_type=client_credentials&client_id=nobody&client_secret=wrong"
        token = exchange(
            server,
            b"POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + upgrade
            + b"Content-Type: application/x-www-form-urlencoded\r\n"
            + b"Content-Length: %d\r\n\r\n" % len(form)
            + form,
        )

    assert trigger.startswith(b"HTTP/1.1 200"), trigger
    assert trigger.endswith(b"\r\n\r\nSuccess"), trigger
    # The grant type arrived: the answer is about the client, not the grant.
    assert b"invalid_client" in token, token


@pytest.mark.sqlite_only
def test_a_body_not_sent_in_time_gets_408(server: ServerProcess) -> None:
    with connect(server) as connection:
        connection.sendall(
            b"POST /oauth/token HTTP/1.1\r\nHost: a\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
            b"grant_type="
        )
        answer = read_all(connection)
    assert status_of(answer) == 408
    assert b"Request body was not sent within 1 seconds" in answer


@pytest.mark.sqlite_only
@pytest.mark.parametrize(("trusted", "secure"), [("127.0.0.1", True), ("10.9.9.9", False)])
def test_forwarded_https_is_believed_only_from_a_trusted_proxy(
    database_url: str, tmp_path: Path, trusted: str, secure: bool
) -> None:
    env = clean_environment(
        PLAYRUNNER_DATABASE_URL=database_url, PLAYRUNNER_FORWARDED_ALLOW_IPS=trusted
    )
    with ServerProcess([], env, tmp_path) as server:
        answer = httpx.get(
            server.url + "/sign-in",
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"},
        )
    cookies = answer.headers.get_list("set-cookie")
    assert cookies
    assert all(("; secure" in cookie.lower()) is secure for cookie in cookies)


@pytest.mark.sqlite_only
def test_a_trusted_proxys_forwarded_scheme_alone_is_not_believed(
    database_url: str, tmp_path: Path
) -> None:
    """As Granian reads the headers: the scheme is taken only with the client's address (a
    request without X-Forwarded-For does not go through Granian's rewrite at all)."""
    env = clean_environment(
        PLAYRUNNER_DATABASE_URL=database_url, PLAYRUNNER_FORWARDED_ALLOW_IPS="127.0.0.1"
    )
    with ServerProcess([], env, tmp_path) as server:
        answer = httpx.get(server.url + "/sign-in", headers={"X-Forwarded-Proto": "https"})
    cookies = answer.headers.get_list("set-cookie")
    assert cookies
    assert not any("; secure" in cookie.lower() for cookie in cookies)


@pytest.mark.sqlite_only
def test_the_port_given_to_serve_names_the_server_in_absolute_urls(server: ServerProcess) -> None:
    metadata = httpx.get(
        server.url + "/.well-known/oauth-authorization-server", headers={"Host": "evil.example"}
    ).json()
    assert metadata["issuer"] == server.url
