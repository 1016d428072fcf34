"""examples/event-driven.sh, run as a new user would: a source, a rule, a signed event posted
with curl (signed with openssl), the form request it causes for the Success Manager, and the
sender's retry dropped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.processes import clean_environment, free_port

REPOSITORY = Path(__file__).resolve().parents[1]


def test_the_event_driven_example_asks_the_success_manager_for_their_sentiment(
    tmp_path: Path,
) -> None:
    env = clean_environment(
        PLAYRUNNER_DATABASE_URL=f"sqlite:///{tmp_path / 'event-driven.db'}",
        PLAYRUNNER=str(Path(sys.executable).parent / "playrunner"),
        PORT=str(free_port()),
        SERVER_LOG=str(tmp_path / "server.log"),
    )
    done = subprocess.run(
        ["bash", str(REPOSITORY / "examples" / "event-driven.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "Rule 'Champion changed jobs': would run the play on acct-0042" in out
    assert '"status":"accepted"' in out
    assert "open form request: Account sentiment on acct-0042" in out
    assert ": processed (Rule 'Champion changed jobs': ran the play on acct-0042)" in out
    assert '"status":"duplicate"' in out
