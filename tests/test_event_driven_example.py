"""examples/event-driven.sh, run as a new user would: a source, a rule, a signed event posted
with curl (signed with openssl), the form request it causes for the Success Manager, and the
sender's retry dropped."""

from __future__ import annotations

from pathlib import Path

from tests.processes import run_example


def test_the_event_driven_example_asks_the_success_manager_for_their_sentiment(
    tmp_path: Path,
) -> None:
    out = run_example("event-driven.sh", tmp_path)
    assert "Rule 'Champion changed jobs': would run the play on acct-0042" in out
    assert '"status":"accepted"' in out
    assert "open form request: Account sentiment on acct-0042" in out
    assert ": processed (Rule 'Champion changed jobs': ran the play on acct-0042)" in out
    assert '"status":"duplicate"' in out
