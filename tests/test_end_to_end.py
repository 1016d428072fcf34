"""A new user's first minutes, for real: `playrunner serve --demo` in its own process, the
printed curl statement pasted into a shell, then the CLI showing the task it made; the
same statement, saved as a script, still working after the server is restarted."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from playrunner.cli.main import app
from tests.processes import ServerProcess, clean_environment, free_port


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    return clean_environment(PLAYRUNNER_DATABASE_URL=f"sqlite:///{tmp_path / 'playrunner.db'}")


@pytest.fixture
def served(tmp_path: Path, environment: dict[str, str]) -> Iterator[tuple[ServerProcess, str]]:
    with ServerProcess(["--demo"], environment, tmp_path) as server:
        yield server, server.printed


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
    demo = json.loads(
        CliRunner().invoke(app, ["demo", "--json", "--new-tokens"], env=environment).stdout
    )
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


def test_a_demo_token_pasted_into_a_script_still_works_after_a_restart(
    tmp_path: Path, environment: dict[str, str]
) -> None:
    port = free_port()  # `make run` serves on the same port every time
    with ServerProcess(["--demo"], environment, tmp_path, port=port) as first:
        curl = re.search(r"^curl -L .*?\}'$", first.printed, re.S | re.M)
        token = re.search(r"Admin token:\s+(prpat_\w+)", first.printed)
    assert curl is not None, first.printed
    assert token is not None, first.printed
    script = tmp_path / "run-follow-up.sh"
    script.write_text(curl.group(0) + "\n", encoding="utf-8")

    with ServerProcess(["--demo"], environment, tmp_path, port=port) as second:
        pasted = subprocess.run(
            ["bash", str(script)], capture_output=True, text=True, timeout=30, check=False
        )
        banner = second.printed

    assert (pasted.returncode, pasted.stdout) == (0, "Success"), pasted.stderr
    assert token.group(1) not in banner  # it cannot be shown again ...
    assert f"Admin token:  prpat_…{token.group(1)[-4:]}" in banner  # ... so it is named
    assert "A token printed earlier keeps working" in " ".join(banner.split())
