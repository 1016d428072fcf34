"""The outbox workers, on huey (the job library; why huey: docs/architecture.md).

The outbox tables are the truth: a row exists once its change committed, whatever happens
to the queue. Huey carries the work to do now and later (one task per kind of row:
``announce_runs`` for announcements of new runs, which become the next two, ``deliver`` for
webhook deliveries, ``send_email`` for emails; retries scheduled with their backoff) to any
number of workers, over the storage that fits the deployment: a SQLite file beside the
database by default, or Redis, or PostgreSQL when Playrunner uses them. Each
worker also sweeps every outbox table every ``webhook_sweep_seconds`` for due rows nothing
is carrying (a process killed after its commit, a worker killed mid-send, a queue emptied),
so nothing is lost to the queue.

``playrunner serve`` runs ``webhook_workers`` worker threads in each process (0 to leave the
work to ``playrunner worker`` processes).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from huey import Huey, PostgresHuey, RedisHuey, SqliteHuey
from huey.api import TaskWrapper
from huey.consumer import Consumer
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from playrunner.clock import utcnow
from playrunner.config import Settings
from playrunner.db import Database
from playrunner.db_failures import describe_failure
from playrunner.migrations import QUEUE_TABLE_PREFIX
from playrunner.outbox import lease, wakeup

logger = logging.getLogger("playrunner.outbox")
QUEUE_NAME = "playrunner-outbox"
SWEEP_BATCH = 500

# How often a worker waiting for the requests to end looks whether it is to stop.
_STOP_CHECK_SECONDS = 0.25
# How long no request must arrive before the workers of a serving process take their turn.
_QUIET_SECONDS = 0.05


class Traffic(Protocol):
    """A serving process's requests in flight (``api.middleware.RequestsInFlight``)."""

    idle: threading.Event  # set while none is in flight
    arrivals: int  # how many have started


# Rows handed to a worker at once (one queue message, one claim, one transaction for their
# attempts).
BATCH = 100
# Rows a worker takes when it stopped waiting for a pause in the requests (a load that has
# not paused for ``outbox_yield_seconds``): enough to keep making progress, little enough
# that the requests it shares the process with hardly notice; the rest of its batch goes
# back to the queue and waits for the next pause (or the next turn).
UNDER_LOAD = 10

# One try at each of these rows: the seconds until the next try of those tried again.
SendMany = Callable[[list[uuid.UUID]], dict[uuid.UUID, float]]


@dataclass(frozen=True)
class Kind:
    """One outbox table as the workers see it."""

    name: str  # the huey task that sends its rows
    table: lease.OutboxTable
    # The sender, made once per process (it may hold what its sends share: a mail pace).
    sender: Callable[[Settings, Database], SendMany]
    # At start-up: is there work of this kind for a serving process to start its threads for?
    waiting: Callable[[Session, Settings], bool]
    # Whether this deployment sends rows of this kind at all (email: SMTP is configured).
    enabled: Callable[[Settings], bool] = lambda _settings: True
    # Work to look for at every sweep (the daily check of event criteria), if any.
    periodic: Callable[[Settings, Database], None] | None = None


def queue_storage(settings: Settings) -> Huey:
    """Huey over Redis when Playrunner has it, else PostgreSQL, else a SQLite file."""
    if settings.redis_url:
        return RedisHuey(QUEUE_NAME, url=settings.redis_url, results=False)
    url = make_url(settings.database_url)
    if url.get_backend_name() == "postgresql":
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        return PostgresHuey(QUEUE_NAME, dsn=dsn, results=False, table_prefix=QUEUE_TABLE_PREFIX)
    database = url.database if url.database not in (None, "", ":memory:") else "playrunner.db"
    return SqliteHuey(QUEUE_NAME, filename=f"{Path(database)}-queue", results=False)


class Workers:
    """Huey's consumer for every kind of outbox row, with the sweep and the after-commit
    wake-up.

    In a serving process the threads start only once there is something to send (work
    waiting at start-up, or the first row written here), so a service without webhooks or
    email runs no workers."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        kinds: Sequence[Kind],
        traffic: Traffic | None = None,
    ) -> None:
        """``traffic``: the serving process's requests (workers in it yield to them, up to
        ``outbox_yield_seconds``)."""
        self.settings = settings
        self.traffic = traffic
        self.database = database
        self.kinds = {kind.name: kind for kind in kinds}
        self._lock = threading.Lock()
        self._huey: Huey | None = None
        self._tasks: dict[str, TaskWrapper] = {}
        self._consumer: Consumer | None = None
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self._announced: queue.SimpleQueue[tuple[str, list[uuid.UUID]]] = queue.SimpleQueue()

    @property
    def huey(self) -> Huey:
        with self._lock:
            if self._huey is None:
                self._huey = queue_storage(self.settings)
                for kind in self.kinds.values():
                    self._tasks[kind.name] = _task(
                        self._huey,
                        kind.name,
                        kind.sender(self.settings, self.database),
                        self._yield_to_requests,
                    )
            return self._huey

    def enqueue(self, kind: str, row_ids: list[uuid.UUID]) -> None:
        self.huey  # noqa: B018 (made, and its tasks registered, on first use)
        task = self._tasks[kind]
        for start in range(0, len(row_ids), BATCH):
            task([str(row_id) for row_id in row_ids[start : start + BATCH]])

    def _yield_to_requests(self) -> bool:
        """Wait until no request has been in flight for ``_QUIET_SECONDS`` (at most
        ``outbox_yield_seconds``): sending shares the process, and its CPU, with the
        requests, so a burst of calls is answered first and its notifications sent after
        it. (Under steady load the count touches zero now and then between two requests:
        that is no pause to send in.) Whether the requests paused (False: the wait ran out,
        or the workers are stopping)."""
        traffic = self.traffic
        if traffic is None:
            return True
        deadline = time.monotonic() + self.settings.outbox_yield_seconds
        while not self._stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            if not traffic.idle.wait(min(left, _STOP_CHECK_SECONDS)):
                continue
            arrivals = traffic.arrivals
            time.sleep(min(_QUIET_SECONDS, max(left, 0)))
            if traffic.idle.is_set() and traffic.arrivals == arrivals:
                return True
        return False

    def sweep(self) -> int:
        """Enqueue every due row that no worker holds, of every kind sent here; how many.
        (Each kind's periodic work first: it may write rows.)"""
        found = 0
        for kind in self.kinds.values():
            if not kind.enabled(self.settings):
                continue
            if kind.periodic is not None:
                kind.periodic(self.settings, self.database)
            with self.database.session(read_only=True) as session:
                due = lease.due(session, kind.table, utcnow(), SWEEP_BATCH)
            self.enqueue(kind.name, due)
            found += len(due)
        return found

    def work_waiting(self, session: Session) -> bool:
        """Whether a serving process has work to start its threads for now."""
        return any(
            kind.enabled(self.settings) and kind.waiting(session, self.settings)
            for kind in self.kinds.values()
        )

    # In a serving process

    def serve(self, threads: int, *, start: bool) -> None:
        """Hear of new rows from now on; start the threads now if ``start`` (there may be
        work already), else at the first row."""
        self._wanted = threads
        wakeup.listen(self.announce)
        if start:
            self._start()

    def announce(self, kind: str, row_ids: list[uuid.UUID]) -> None:
        """After a commit (on the event loop): hand the new rows to the relay thread."""
        self._start()
        self._announced.put((kind, row_ids))

    def _start(self) -> None:
        if self._consumer is not None:
            return
        consumer = _QuietConsumer(self.huey, workers=self._wanted, periodic=False, max_delay=1.0)
        with self._lock:
            if self._consumer is not None:
                return
            self._consumer = consumer
        consumer.start()
        self._threads = [
            threading.Thread(target=self._relay, name="outbox-relay", daemon=True),
            threading.Thread(target=self._sweeper, name="outbox-sweep", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _relay(self) -> None:
        self._sweep_logged()
        while not self._stop.is_set():
            try:
                kind, ids = self._announced.get(timeout=0.5)
            except queue.Empty:
                continue
            # While requests are in flight, let their rows gather: queued after the burst,
            # they make full batches (one queue write each) rather than one per commit.
            self._yield_to_requests()
            gathered: dict[str, list[uuid.UUID]] = {kind: list(ids)}
            while True:
                try:
                    kind, ids = self._announced.get_nowait()
                except queue.Empty:
                    break
                gathered.setdefault(kind, []).extend(ids)
            try:
                for kind, ids in gathered.items():
                    self.enqueue(kind, ids)
            except Exception as exc:
                logger.error(
                    "could not queue new outbox rows (the sweep will): %s", describe_failure(exc)
                )

    def _sweeper(self) -> None:
        while not self._stop.wait(self.settings.webhook_sweep_seconds):
            self._sweep_logged()

    def _sweep_logged(self) -> None:
        try:
            self.sweep()
        except Exception as exc:
            logger.error("outbox sweep failed: %s", describe_failure(exc))

    def stop(self) -> None:
        self._stop.set()
        wakeup.listen(None, replacing=self.announce)
        if self._consumer is not None:
            self._consumer.stop(graceful=True)
        for thread in self._threads:
            thread.join(timeout=5)

    # A worker process

    def run_forever(self, threads: int) -> None:
        """``playrunner worker``: huey's consumer in the foreground (it handles SIGINT and
        SIGTERM), sweeping beside it."""
        sweeper = threading.Thread(target=self._sweeper, name="outbox-sweep", daemon=True)
        sweeper.start()
        self._sweep_logged()
        # Rows this worker writes (the deliveries and emails of an announcement) are queued
        # as soon as their transaction commits (no request shares this process).
        wakeup.listen(self._enqueue_logged)
        try:
            Consumer(self.huey, workers=threads, periodic=False, max_delay=1.0).run()
        finally:
            self._stop.set()
            wakeup.listen(None, replacing=self._enqueue_logged)

    def _enqueue_logged(self, kind: str, row_ids: list[uuid.UUID]) -> None:
        try:
            self.enqueue(kind, row_ids)
        except Exception as exc:
            logger.error(
                "could not queue new outbox rows (the sweep will): %s", describe_failure(exc)
            )


def _task(huey: Huey, name: str, send: SendMany, before: Callable[[], bool]) -> TaskWrapper:
    """Huey's task ``name``: one try at each of a batch of rows (after ``before``, which says
    whether the requests paused; if they did not, only ``UNDER_LOAD`` rows now and the rest
    queued again), and each next try scheduled."""

    @huey.task(name=name)  # type: ignore[untyped-decorator]
    def run(row_ids: list[str] | str) -> None:
        if isinstance(row_ids, str):  # queued by a version that sent one row per task
            row_ids = [row_ids]
        if not before() and len(row_ids) > UNDER_LOAD:
            row_ids, rest = row_ids[:UNDER_LOAD], row_ids[UNDER_LOAD:]
            run(rest)
        later: dict[float, list[str]] = {}  # rows given the same wait go back as one task
        for row_id, wait in send([uuid.UUID(r) for r in row_ids]).items():
            later.setdefault(wait, []).append(str(row_id))
        for wait, ids in later.items():
            run.schedule((ids,), delay=wait)

    wrapper: TaskWrapper = run
    return wrapper


class _QuietConsumer(Consumer):  # type: ignore[misc]
    """Huey's consumer inside a server process: the server owns the process's signals."""

    def _set_signal_handlers(self, *args: Any) -> None:
        return None
