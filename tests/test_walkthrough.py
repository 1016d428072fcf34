"""The README's walkthrough, run as a new user would: examples/walkthrough.sh, for real, and
the README's own lines that capture the tokens `init` and `tokens create` print."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from playrunner.db import Database
from playrunner.tokens import service as tokens_service
from tests.processes import clean_environment, run_example

REPOSITORY = Path(__file__).resolve().parents[1]


def test_the_walkthrough_runs_from_an_empty_database_to_a_changed_attribute(
    tmp_path: Path,
) -> None:
    out = run_example("walkthrough.sh", tmp_path)
    assert "+ create play salesforce-follow-up" in out
    assert "1000 created, 0 updated, 0 rejected." in out
    assert [line for line in out.splitlines() if line == "Success"] == ["Success"] * 3
    assert out.strip().endswith("acct-0042 sentiment: Yellow")


def readme_walkthrough_until_serve() -> str:
    """The README's walkthrough commands, as documented, up to starting the server."""
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    section = readme.split("## From an empty database to a first run", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return block.split("$PR serve &", 1)[0]


def test_the_readmes_walkthrough_captures_the_tokens_it_prints(tmp_path: Path) -> None:
    # Run from a directory laid out as the repository is (.venv, examples), on its own database.
    (tmp_path / ".venv").symlink_to(Path(sys.executable).parent.parent)
    (tmp_path / "examples").symlink_to(REPOSITORY / "examples")
    script = readme_walkthrough_until_serve() + 'printf "%s\\n" "$ADMIN" "$JANE"\n'
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=tmp_path,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    admin, jane = done.stdout.splitlines()[-2:]

    database = Database(f"sqlite:///{tmp_path / 'walkthrough.db'}")
    with database.session(read_only=True) as session:
        assert tokens_service.authenticate(session, admin).email == "ops@acme.example"
        assert tokens_service.authenticate(session, jane).email == "jane@acme.example"
    database.dispose()


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")
def test_init_json_with_jq_as_the_readme_says(tmp_path: Path) -> None:
    env = clean_environment(PLAYRUNNER_DATABASE_URL=f"sqlite:///{tmp_path / 'jq.db'}")
    playrunner = Path(sys.executable).parent / "playrunner"
    done = subprocess.run(
        [
            "bash",
            "-euo",
            "pipefail",
            "-c",
            f"{playrunner} init --service-name S --admin-email a@b.example --json | jq -r .token",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"prpat_[A-Za-z0-9]{38}\n", done.stdout), done.stdout
