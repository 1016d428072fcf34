"""``playrunner trigger --accounts FILE.csv``: one play on many accounts, resumable.

Every outcome is appended (and flushed) to a results file as soon as it is known; a later run
with the same results file skips the accounts already answered, so an interrupted job goes on
where it stopped. Against Playrunner each call carries an Idempotency-Key made from the
results file, the play and the accounts, so a call whose answer was lost (the process was
killed, the connection dropped) is answered again on resume instead of running twice.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from playrunner.client import (
    AccountNotFound,
    APIError,
    AuthenticationFailed,
    Client,
    InvalidRequest,
    NotAuthorized,
    NotFound,
    PlayrunnerClientError,
    RateLimited,
    SuccessPlayNotFound,
    SuccessPlayNotManual,
    UnsupportedOperation,
)

RESULT_COLUMNS = ("account_id", "outcome", "run_id", "message")
# Answers that stand: resuming skips these accounts. "failed" ones are tried again.
FINAL_OUTCOMES = ("success", "skipped", "not_found")
OUTCOMES = (*FINAL_OUTCOMES, "failed")
_ID_HEADERS = {"accountid", "account", "id"}
# Failures that would be the same for every account: the job stops instead.
_JOB_FAILURES = (
    AuthenticationFailed,
    NotAuthorized,
    SuccessPlayNotFound,
    SuccessPlayNotManual,
    RateLimited,
    UnsupportedOperation,
)


class JobError(Exception):
    """The job cannot start or go on; the message says why."""


@dataclass(frozen=True, slots=True)
class Outcome:
    account_id: str
    outcome: str
    run_id: str = ""
    message: str = ""

    @property
    def failed(self) -> bool:
        return self.outcome in ("not_found", "failed")


def read_account_ids(path: Path) -> list[str]:
    """Account ids from a CSV: the column headed account_id (or accountId, account, id), or
    the first column of a file without such a header. Blank lines and repeats are dropped."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise JobError(f"Cannot read {path}: {exc}") from None
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    column = 0
    if rows:
        names = [_normalise(cell) for cell in rows[0]]
        header = next((i for i, name in enumerate(names) if name in _ID_HEADERS), None)
        if header is not None:
            column, rows = header, rows[1:]
    ids = (row[column].strip() for row in rows if len(row) > column)
    unique = list(dict.fromkeys(account for account in ids if account))
    if not unique:
        raise JobError(f"{path} holds no account ids")
    return unique


def _normalise(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


class ResultsFile:
    """The results CSV: one line per answer, appended and flushed as each arrives."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.recorded: dict[str, Outcome] = {}
        if path.exists():
            self._load()

    def _load(self) -> None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise JobError(f"Cannot read the results file {self.path}: {exc}") from None
        rows = list(csv.reader(io.StringIO(text)))
        if rows and tuple(rows[0]) != RESULT_COLUMNS:
            raise JobError(
                f"{self.path} is not a results file of `playrunner trigger` (its first line "
                f"should be {','.join(RESULT_COLUMNS)}); choose another --results file"
            )
        for row in rows[1:]:
            # A line cut short by a killed process is not an answer.
            if len(row) == len(RESULT_COLUMNS) and row[1] in OUTCOMES:
                self.recorded[row[0]] = Outcome(*row)

    def done(self, account_id: str) -> bool:
        recorded = self.recorded.get(account_id)
        return recorded is not None and recorded.outcome in FINAL_OUTCOMES

    def append(self, outcomes: Sequence[Outcome]) -> None:
        new = not self.path.exists() or self.path.stat().st_size == 0
        if not new:
            with self.path.open("rb+") as raw:
                raw.seek(-1, os.SEEK_END)
                if raw.read(1) != b"\n":
                    raw.write(b"\n")  # end the line a killed process left half-written
        with self.path.open("a", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream, lineterminator="\n")
            if new:
                writer.writerow(RESULT_COLUMNS)
            for outcome in outcomes:
                writer.writerow(
                    [outcome.account_id, outcome.outcome, outcome.run_id, outcome.message]
                )
                self.recorded[outcome.account_id] = outcome
            stream.flush()
            os.fsync(stream.fileno())


class TriggerJob:
    """Runs one play on accounts through ``client``, recording each outcome in ``results``.

    ``bulk``: use Playrunner's bulk endpoint (``None``: when the server has it).
    """

    def __init__(
        self,
        client: Client,
        play: str,
        results: ResultsFile,
        *,
        bulk: bool | None = None,
        chunk_size: int,
    ) -> None:
        if bulk and client.flavor == "totango":
            raise JobError("Totango has no bulk endpoint; leave out --bulk")
        self.client = client
        self.play = play
        self.results = results
        self.bulk = bulk if client.flavor == "playrunner" else False
        self.chunk_size = max(1, chunk_size)
        self._key_base = f"{results.path.resolve()}\0{play}"

    def calls_needed(self, accounts: int) -> int:
        return -(-accounts // self.chunk_size) if self.bulk is not False else accounts

    def run(self, accounts: Sequence[str], record: Callable[[Sequence[Outcome]], None]) -> None:
        """Run every account not yet done; ``record`` hears of each batch of outcomes."""
        todo = [account for account in accounts if not self.results.done(account)]
        position = 0
        while position < len(todo):
            chunk = todo[position : position + (self.chunk_size if self.bulk is not False else 1)]
            position += len(chunk)
            outcomes = self._run_bulk(chunk) if self.bulk is not False else None
            if outcomes is not None:
                self._keep(outcomes, record)
                continue
            for account in chunk:
                self._keep([self._run_one(account)], record)

    def _keep(
        self, outcomes: Sequence[Outcome], record: Callable[[Sequence[Outcome]], None]
    ) -> None:
        self.results.append(outcomes)
        record(outcomes)

    def _run_one(self, account: str) -> Outcome:
        try:
            result = self.client.run_manual_successplay(
                self.play, account, idempotency_key=self._key(account)
            )
        except AccountNotFound as exc:
            return Outcome(account, "not_found", message=exc.message)
        except _JOB_FAILURES as exc:
            raise JobError(_describe(exc)) from None
        except PlayrunnerClientError as exc:
            return Outcome(account, "failed", message=_describe(exc))
        run_id = str(result.run_id) if result.run_id else ""
        return Outcome(account, "skipped" if result.skipped else "success", run_id)

    def _run_bulk(self, chunk: list[str]) -> list[Outcome] | None:
        """Outcomes of one bulk call, or None when the accounts must go one by one."""
        try:
            answer = self.client.run_bulk(self.play, chunk, idempotency_key=self._key(*chunk))
        except APIError as exc:
            if isinstance(exc, _JOB_FAILURES):
                raise JobError(_describe(exc)) from None
            if isinstance(exc, NotFound) or exc.status_code == 405:
                if self.bulk:
                    raise JobError(f"This server has no bulk endpoint ({exc.message})") from None
                self.bulk = False  # an older server: one call per account from now on
                return None
            if isinstance(exc, InvalidRequest):
                return None  # one bad id refuses the whole call; alone, only it fails
            return [Outcome(account, "failed", message=_describe(exc)) for account in chunk]
        except PlayrunnerClientError as exc:
            return [Outcome(account, "failed", message=_describe(exc)) for account in chunk]
        self.bulk = True
        return [
            Outcome(
                item.account_id,
                item.status if item.status in FINAL_OUTCOMES else "failed",
                str(item.run_id) if item.run_id else "",
                item.message or "",
            )
            for item in answer.results
        ]

    def _key(self, *accounts: str) -> str | None:
        if self.client.flavor != "playrunner":
            return None  # Totango ignores it; send only what Totango documents
        digest = hashlib.sha256("\0".join((self._key_base, *accounts)).encode()).hexdigest()
        return f"playrunner-trigger-{digest[:40]}"


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _describe(exc: PlayrunnerClientError) -> str:
    if isinstance(exc, RateLimited):
        return (
            f"{exc.message}: still rate limited after the retries allowed; the limit resets in "
            f"{exc.reset_after:.0f} s. Run the same command again to resume."
        )
    return exc.message if isinstance(exc, APIError) else str(exc)
