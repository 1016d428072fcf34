"""The README's walkthrough, run as a new user would: examples/walkthrough.sh, for real."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.processes import clean_environment, free_port

REPOSITORY = Path(__file__).resolve().parents[1]


def test_the_walkthrough_runs_from_an_empty_database_to_a_changed_attribute(
    tmp_path: Path,
) -> None:
    env = clean_environment(
        PLAYRUNNER_DATABASE_URL=f"sqlite:///{tmp_path / 'walkthrough.db'}",
        PLAYRUNNER=str(Path(sys.executable).parent / "playrunner"),
        PORT=str(free_port()),
        SERVER_LOG=str(tmp_path / "server.log"),
    )
    done = subprocess.run(
        ["bash", str(REPOSITORY / "examples" / "walkthrough.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "+ create play salesforce-follow-up" in out
    assert "1000 created, 0 updated, 0 rejected." in out
    assert [line for line in out.splitlines() if line == "Success"] == ["Success"] * 3
    assert out.strip().endswith("acct-0042 sentiment: Yellow")
