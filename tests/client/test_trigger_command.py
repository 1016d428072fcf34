"""``playrunner trigger`` against a live Playrunner and the Totango stand-in, over real HTTP:
one account, a CSV of them (results file, summary, exit status), resuming an interrupted
job, and pacing with a fake clock."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from playrunner.cli.main import app
from playrunner.cli.trigger import run_accounts_file
from playrunner.cli.trigger_job import JobError, read_account_ids
from playrunner.client import Client
from tests.cli.runner import at_width
from tests.client.totango_standin import FakeTime, TotangoStandIn
from tests.client.worlds import TOTANGO_EVENT_PLAY, TOTANGO_PLAY
from tests.factories import Factory, task_play
from tests.processes import clean_environment
from tests.worlds import FORM_PLAY, PlayrunnerWorld


@pytest.fixture
def totango(fake_time: FakeTime) -> Iterator[TotangoStandIn]:
    accounts = {f"acct-{n}" for n in range(1, 7)} | {"acme"}
    with TotangoStandIn(
        clock=fake_time.clock,
        plays={TOTANGO_PLAY: "manual", TOTANGO_EVENT_PLAY: "event"},
        accounts=accounts,
    ) as standin:
        yield standin


def trigger(token: str, url: str, *args: str, api: str | None = None) -> Result:
    options = ["--api", api] if api else []
    return CliRunner().invoke(
        app,
        ["trigger", "--base-url", url, *options, *args],
        env={"PLAYRUNNER_TOKEN": token, "COLUMNS": "250"},
    )


def accounts_file(tmp_path: Path, *ids: str, header: str | None = "account_id") -> Path:
    path = tmp_path / "accounts.csv"
    lines = ([header] if header else []) + list(ids)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_results(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def outcomes(path: Path) -> dict[str, str]:
    return {row["account_id"]: row["outcome"] for row in read_results(path)}


# One account -----------------------------------------------------------------------------


def test_one_account_on_playrunner_prints_the_run(world: PlayrunnerWorld) -> None:
    result = trigger(
        world.admin_token, world.url, "--play", str(world.play.id), "--account", "acme"
    )

    assert result.exit_code == 0, result.output
    status, run, run_id = result.stdout.split()
    assert (status, run) == ("Success", "run")
    with world.client() as client:
        assert client.get_run(run_id).account_id == "acme"


def test_one_account_as_json(world: PlayrunnerWorld) -> None:
    result = trigger(
        world.admin_token, world.url, "--play", str(world.play.id), "--account", "acme", "--json"
    )
    assert result.exit_code == 0, result.output
    assert '"status": "Success"' in result.stdout
    assert '"task_ids": [' in result.stdout


@pytest.mark.parametrize(
    ("token", "play", "account", "message"),
    [
        ("admin", "play", "nobody", "Account not found"),
        ("admin", "event_play", "acme", "SuccessPlay is not configured as manual"),
        ("admin", "inactive_play", "acme", "SuccessPlay not found"),
        ("user", "play", "acme", "User is not authorized with role: SERVICE_ADMIN"),
    ],
)
def test_one_account_failures_exit_1_with_the_message(
    world: PlayrunnerWorld, token: str, play: str, account: str, message: str
) -> None:
    secret = world.admin_token if token == "admin" else world.user_token
    play_id = str(getattr(world, play).id)
    result = trigger(secret, world.url, "--play", play_id, "--account", account)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {message}"


def test_one_account_dry_run(world: PlayrunnerWorld) -> None:
    play = str(world.form_play.id)
    result = trigger(world.admin_token, world.url, "--play", play, "--account", "acme", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run on acme (Acme): nothing was written." in result.stdout
    assert "Sentiment" in result.stdout
    with world.client() as client:
        assert client.list_runs().total == 0


def test_the_commands_tables_fit_80_columns(
    world: PlayrunnerWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at_width(monkeypatch, 80)
    both = factory_play_with_task_and_form(world)
    preview = trigger(
        world.admin_token, world.url, "--play", both, "--account", "acme", "--dry-run"
    ).stdout
    path = accounts_file(tmp_path, "acme", "nobody")
    summary = trigger(
        world.admin_token, world.url, "--play", both, "--accounts", str(path), "--rate", "0"
    ).stdout

    for printed in (preview, summary):
        assert [line for line in printed.splitlines() if len(line) > 80] == [], printed
    assert "form request" in preview
    assert "Follow up with Acme" in preview
    assert "not_found" in summary


def factory_play_with_task_and_form(world: PlayrunnerWorld) -> str:
    """A play making a task with a long title and a form request: its id."""
    spec = task_play()
    spec["actions"][0]["title"] = "Follow up with {{ account.name }} about the renewal and the QBR"
    spec["actions"].append(FORM_PLAY["actions"][0])
    return str(world.factory.play(world.tenant, spec).id)


def test_a_play_is_named_by_its_key_too(world: PlayrunnerWorld, factory: Factory) -> None:
    keyed = factory.play(world.tenant, key="salesforce-follow-up")

    result = trigger(
        world.admin_token, world.url, "--play", "salesforce-follow-up", "--account", "acme"
    )

    assert result.exit_code == 0, result.output
    run_id = result.stdout.split()[-1]
    with world.client() as client:
        assert client.get_run(run_id).play_id == keyed.id


def test_a_key_no_play_has_is_refused_before_anything_runs(world: PlayrunnerWorld) -> None:
    result = trigger(world.admin_token, world.url, "--play", "no-such-play", "--account", "acme")

    assert result.exit_code == 1
    assert f"No SuccessPlay on {world.url} has the id or key 'no-such-play'" in " ".join(
        result.stderr.split()
    )
    with world.client() as client:
        assert client.list_runs().total == 0


def test_one_account_on_totango_says_only_success(totango: TotangoStandIn) -> None:
    result = trigger(
        "admin-token", totango.url, "--play", TOTANGO_PLAY, "--account", "acme", api="totango"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Success"
    assert totango.runs == [(TOTANGO_PLAY, "acme")]
    assert totango.requests[0].headers["accept"] == "*/*"


TOKEN = {"PLAYRUNNER_TOKEN": "t"}
ONE = ["--play", "p", "--account", "a"]


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--play", "p"], TOKEN, "Pass either --account ID or --accounts"),
        ([*ONE, "--base-url", "http://x"], {}, "--token or the PLAYRUNNER_TOKEN"),
        (ONE, TOKEN, "--region us|eu"),
        ([*ONE, "--region", "eu", "--base-url", "http://x"], TOKEN, "--region us|eu"),
        ([*ONE, "--base-url", "mars"], TOKEN, "base_url must be"),
    ],
)
def test_usage_mistakes_are_explained(args: list[str], env: dict[str, str], message: str) -> None:
    result = CliRunner().invoke(app, ["trigger", *args], env={"COLUMNS": "250", **env})
    assert result.exit_code == 1
    assert message in result.stderr


def test_help_lists_trigger() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "250"})
    assert "trigger" in result.stdout
    assert "pip install 'playrunner[server]'" not in result.stdout  # the extra is installed


# A CSV of accounts -----------------------------------------------------------------------


@pytest.mark.parametrize("bulk", ["--bulk", "--no-bulk"])
def test_a_csv_on_playrunner_writes_results_and_a_summary(
    world: PlayrunnerWorld, tmp_path: Path, bulk: str
) -> None:
    path = accounts_file(tmp_path, "acme", "globex", "nobody", "acme", "", "initech")
    play = str(world.skip_play.id)
    with world.client() as client:
        first = client.run_manual_successplay(world.skip_play.id, "initech")

    result = trigger(
        world.admin_token, world.url, "--play", play, "--accounts", str(path), bulk, "--rate", "0"
    )

    assert result.exit_code == 1, result.output  # one account was not found
    assert "4 of 4 accounts to run" in result.stderr
    rows = read_results(tmp_path / "accounts.results.csv")
    assert [(r["account_id"], r["outcome"]) for r in rows] == [
        ("acme", "success"),
        ("globex", "success"),
        ("nobody", "not_found"),
        ("initech", "skipped"),
    ]
    assert rows[2]["message"] == "Account not found"
    assert rows[3]["run_id"] == str(first.run_id)
    assert "not_found" in result.stdout
    assert "nobody: Account not found" in result.stdout
    with world.client() as client:
        assert client.get_run(rows[0]["run_id"]).account_id == "acme"
        assert client.list_runs(play=world.skip_play.id).total == 4  # three runs and a skip


def test_a_csv_on_totango_one_call_per_account(totango: TotangoStandIn, tmp_path: Path) -> None:
    path = accounts_file(tmp_path, "Name,Account ID", "Acme,acct-1", "Two,acct-2", header=None)
    results = tmp_path / "out.csv"

    result = trigger(
        "admin-token",
        totango.url,
        *("--play", TOTANGO_PLAY, "--accounts", str(path), "--results", str(results)),
        *("--rate", "0"),
        api="totango",
    )

    assert result.exit_code == 0, result.output
    assert outcomes(results) == {"acct-1": "success", "acct-2": "success"}
    assert [row["run_id"] for row in read_results(results)] == ["", ""]
    assert totango.runs == [(TOTANGO_PLAY, "acct-1"), (TOTANGO_PLAY, "acct-2")]
    assert all("idempotency-key" not in r.headers for r in totango.requests)


def test_a_failure_that_would_hit_every_account_stops_the_job(
    totango: TotangoStandIn, tmp_path: Path
) -> None:
    path = accounts_file(tmp_path, "acct-1", "acct-2")
    result = trigger(
        "user-token", totango.url, "--play", TOTANGO_PLAY, "--accounts", str(path), api="totango"
    )
    assert result.exit_code == 1
    assert "Stopped: User is not authorized with role: SERVICE_ADMIN" in result.stderr
    assert len(totango.requests) == 1
    assert not (tmp_path / "accounts.results.csv").exists()


def test_a_file_that_is_not_a_results_file_is_not_touched(
    totango: TotangoStandIn, tmp_path: Path
) -> None:
    path = accounts_file(tmp_path, "acct-1")
    other = tmp_path / "report.csv"
    other.write_text("name,value\n", encoding="utf-8")
    result = trigger(
        "admin-token",
        totango.url,
        *("--play", TOTANGO_PLAY, "--accounts", str(path), "--results", str(other)),
        api="totango",
    )
    assert result.exit_code == 1
    assert "is not a results file" in result.stderr
    assert other.read_text(encoding="utf-8") == "name,value\n"
    assert totango.requests == []


# Resuming --------------------------------------------------------------------------------


def test_an_interrupted_job_resumes_where_it_stopped(
    totango: TotangoStandIn, tmp_path: Path
) -> None:
    accounts = [f"acct-{n}" for n in range(1, 7)]
    path = accounts_file(tmp_path, *accounts)
    results = tmp_path / "accounts.results.csv"
    totango.hold_after = 3  # the 4th call hangs: the job is killed while it waits
    command = [sys.executable, "-m", "playrunner", "trigger", "--base-url", totango.url]
    command += ["--api", "totango", "--play", TOTANGO_PLAY, "--accounts", str(path)]
    job = subprocess.Popen(
        [*command, "--rate", "0"],
        env=clean_environment(PLAYRUNNER_TOKEN="admin-token"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert job.stdout is not None
    printed = []
    for line in job.stdout:
        printed.append(line)
        if line.startswith("acct-3 "):
            break
    assert totango.held.wait(timeout=30), "".join(printed)
    job.kill()
    job.wait(timeout=30)
    totango.release.set()
    assert outcomes(results) == {f"acct-{n}": "success" for n in (1, 2, 3)}

    totango.hold_after = None
    resumed = trigger(
        "admin-token", totango.url, "--play", TOTANGO_PLAY, "--accounts", str(path), api="totango"
    )

    assert resumed.exit_code == 0, resumed.output
    assert "3 of 6 accounts to run (3 already done in" in resumed.stderr
    assert outcomes(results) == dict.fromkeys(accounts, "success")
    assert [totango.runs_on(account) for account in accounts] == [1] * 6
    assert "6 accounts" in resumed.stdout


def test_failed_accounts_are_tried_again_and_done_ones_are_not(
    totango: TotangoStandIn, tmp_path: Path
) -> None:
    path = accounts_file(tmp_path, "acct-1", "acct-2", "acct-9")
    args = ("--play", TOTANGO_PLAY, "--accounts", str(path), "--rate", "0")
    totango.drop_next = 2  # acct-1 and acct-2 lose their connections
    first = trigger("admin-token", totango.url, *args, api="totango")
    results = tmp_path / "accounts.results.csv"
    assert first.exit_code == 1
    assert outcomes(results) == {"acct-1": "failed", "acct-2": "failed", "acct-9": "not_found"}

    second = trigger("admin-token", totango.url, *args, api="totango")

    assert second.exit_code == 1  # acct-9 is still not found
    assert "2 of 3 accounts to run (1 already done" in second.stderr
    assert outcomes(results) == {"acct-1": "success", "acct-2": "success", "acct-9": "not_found"}
    assert len(totango.requests) == 5


@pytest.mark.parametrize("bulk", ["--bulk", "--no-bulk"])
def test_a_lost_answer_is_replayed_on_resume_not_run_twice(
    world: PlayrunnerWorld, factory: Factory, tmp_path: Path, bulk: str
) -> None:
    accounts = ["a1", "a2", "a3", "a4", "a5"]
    for account in accounts:
        factory.account(world.tenant, account)
    path = accounts_file(tmp_path, *accounts)
    args = ["--play", str(world.play.id), "--accounts", str(path), "--rate", "0", bulk]
    args += ["--chunk-size", "2"]
    assert trigger(world.admin_token, world.url, *args).exit_code == 0
    results = tmp_path / "accounts.results.csv"
    before = read_results(results)
    # The process died after the server ran a3..a5 but before it wrote their lines.
    lines = results.read_text(encoding="utf-8").splitlines(keepends=True)
    results.write_text("".join(lines[:3]) + "a3,succ", encoding="utf-8")

    resumed = trigger(world.admin_token, world.url, *args)

    assert resumed.exit_code == 0, resumed.output
    assert "3 of 5 accounts to run" in resumed.stderr
    assert read_results(results)[-3:] == before[-3:]  # the same run ids
    with world.client() as client:
        assert client.list_runs(play=world.play.id).total == 5


# Pacing ----------------------------------------------------------------------------------


def test_a_job_is_paced_with_an_eta(
    totango: TotangoStandIn, fake_time: FakeTime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = accounts_file(tmp_path, *(f"acct-{n}" for n in range(1, 7)))
    with Client(
        "admin-token",
        totango.url,
        flavor="totango",
        pace=100,
        clock=fake_time.clock,
        sleep=fake_time.sleep,
    ) as client:
        failed = run_accounts_file(client, TOTANGO_PLAY, path, tmp_path / "r.csv")

    assert not failed
    assert fake_time.sleeps == [pytest.approx(0.606)] * 5
    assert "at 100 calls a minute that takes about 3 s" in capsys.readouterr().err


def test_account_ids_are_read_from_a_headed_column_or_the_first(tmp_path: Path) -> None:
    headed = tmp_path / "headed.csv"
    headed.write_text("\ufeffName,accountId\nAcme, acme \n\nGlobex,globex\nAgain,acme\n", "utf-8")
    plain = tmp_path / "plain.csv"
    plain.write_text("acme,x\nglobex\n", "utf-8")
    empty = tmp_path / "empty.csv"
    empty.write_text("account_id\n\n", "utf-8")

    assert read_account_ids(headed) == ["acme", "globex"]
    assert read_account_ids(plain) == ["acme", "globex"]
    with pytest.raises(JobError, match="holds no account ids"):
        read_account_ids(empty)
