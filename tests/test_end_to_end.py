"""A new user's first minutes, for real: `playrunner serve --demo` in its own process, the
printed curl statement pasted into a shell, then the CLI showing the task it made."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from playrunner.cli.main import app

STARTUP_TIMEOUT_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ServerProcess:
    def __init__(self, workdir: Path, env: dict[str, str], port: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "playrunner", "serve", "--demo", "--port", str(port)],
            cwd=workdir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output: list[str] = []

    def read_until_started(self) -> str:
        """Everything printed up to uvicorn's "startup complete" line."""
        assert self.process.stdout is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        for line in self.process.stdout:
            self.output.append(line)
            if "Application startup complete" in line:
                return "".join(self.output)
            if time.monotonic() > deadline:
                break
        raise AssertionError("server did not start:\n" + "".join(self.output))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLAYRUNNER_")}
    env.update(
        PYTHONUNBUFFERED="1",
        COLUMNS="250",
        PLAYRUNNER_DATABASE_URL=f"sqlite:///{tmp_path / 'playrunner.db'}",
    )
    return env


@pytest.fixture
def served(tmp_path: Path, environment: dict[str, str]) -> Iterator[tuple[ServerProcess, str]]:
    server = ServerProcess(tmp_path, environment, free_port())
    try:
        yield server, server.read_until_started()
    finally:
        server.stop()


def test_the_printed_curl_statement_works_as_pasted(
    served: tuple[ServerProcess, str], environment: dict[str, str]
) -> None:
    _server, banner = served
    assert re.search(r"URL:\s+http://127\.0\.0\.1:\d+", banner)
    assert re.search(r"Admin token:\s+prpat_", banner)
    curl = re.search(r"^curl -L .*?\}'$", banner, re.S | re.M)
    assert curl is not None, banner

    pasted = subprocess.run(
        ["bash", "-c", curl.group(0)], capture_output=True, text=True, timeout=30, check=False
    )

    assert pasted.returncode == 0, pasted.stderr
    assert pasted.stdout == "Success"
    account = re.search(r'"accountId": "([^"]+)"', curl.group(0))
    assert account is not None
    listed = CliRunner().invoke(
        app, ["tasks", "list", "--account", account.group(1), "--json"], env=environment
    )
    (task,) = json.loads(listed.stdout)
    assert task["assignee"] == "jane.csm@demo.playrunner.dev"  # the account's Success Manager
    assert task["title"] == "Follow up with Acme Inc."


def test_each_documented_error_can_be_produced_with_the_demo_data(
    served: tuple[ServerProcess, str], environment: dict[str, str]
) -> None:
    _server, banner = served
    url = re.search(r"URL:\s+(http://\S+)", banner)
    assert url is not None
    demo = json.loads(CliRunner().invoke(app, ["demo", "--json"], env=environment).stdout)
    endpoint = url.group(1) + "/api/v2/automations/run-manual-successplay"

    def call(token: str, play: str, account: str) -> str:
        body = json.dumps({"successplayId": play, "accountId": account})
        done = subprocess.run(
            [
                "curl",
                "-sS",
                "-L",
                endpoint,
                "-H",
                f"app-token: {token}",
                "-H",
                "Content-Type: application/json",
                "-d",
                body,
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        return done.stdout

    plays, admin = demo["plays"], demo["admin_token"]
    assert call(demo["user_token"], plays["task"], "acme") == (
        "User is not authorized with role: SERVICE_ADMIN"
    )
    assert call(admin, plays["inactive"], "acme") == "SuccessPlay not found"
    assert call(admin, plays["event_only"], "acme") == "SuccessPlay is not configured as manual"
    assert call(admin, plays["task"], "not-a-customer") == "Account not found"
    assert call(admin, plays["form"], "acme") == "Success"
