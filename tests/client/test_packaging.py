"""``pip install playrunner`` (no extras) gives a working SDK and ``playrunner trigger``,
and none of the server's dependencies.

Marked ``packaging``: it builds the package and installs it into a fresh virtual environment
(pip's cache allowed), which takes a few seconds with a warm cache and up to a minute without
one. Skip it with ``-m 'not packaging'``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.client.totango_standin import TotangoStandIn
from tests.client.worlds import TOTANGO_PLAY
from tests.processes import clean_environment

REPOSITORY = Path(__file__).resolve().parents[2]


def run(*command: str | Path, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=clean_environment(),
        check=False,
    )


@pytest.mark.packaging
def test_a_plain_install_has_the_client_and_trigger_but_not_the_server(
    tmp_path: Path, totango: TotangoStandIn
) -> None:
    venv = tmp_path / "venv"
    assert run(sys.executable, "-m", "venv", "--without-pip", venv).returncode == 0
    python, playrunner = venv / "bin" / "python", venv / "bin" / "playrunner"
    installed = run(
        *(sys.executable, "-m", "pip", "--python", python, "install", "--quiet"),
        *("--disable-pip-version-check", "-c", REPOSITORY / "constraints.txt", REPOSITORY),
        timeout=300,
    )
    assert installed.returncode == 0, installed.stderr

    imports = run(
        python,
        "-c",
        "import importlib.util, playrunner.client;"
        "print([m for m in ('fastapi', 'sqlalchemy', 'uvicorn', 'alembic')"
        " if importlib.util.find_spec(m)])",
    )
    assert (imports.returncode, imports.stdout.strip()) == (0, "[]"), imports.stderr

    overview = run(playrunner, "--help")
    assert overview.returncode == 0, overview.stderr
    assert "pip install 'playrunner[server]'" in " ".join(overview.stdout.split())
    assert "trigger" in overview.stdout
    assert run(playrunner, "trigger", "--help").returncode == 0
    assert run(playrunner, "serve").returncode == 2  # no such command

    ran = run(
        *(playrunner, "trigger", "--base-url", totango.url, "--api", "totango"),
        *("--token", "admin-token", "--play", TOTANGO_PLAY, "--account", "acme"),
    )
    assert (ran.returncode, ran.stdout.strip()) == (0, "Success"), ran.stderr
    assert totango.runs == [(TOTANGO_PLAY, "acme")]
