"""The webhook workers, on huey (the job library; why huey: docs/architecture.md).

The outbox tables are the truth: a delivery exists once its change committed, whatever
happens to the queue. Huey carries the work to do now and later (``deliver`` tasks, retries
scheduled with their backoff) to any number of workers, over the storage that fits the
deployment: a SQLite file beside the database by default, or Redis, or PostgreSQL when
Playrunner uses them. Each worker also sweeps the outbox every ``webhook_sweep_seconds`` for
due deliveries nothing is carrying (a process killed after its commit, a worker killed
mid-delivery, a queue emptied), so nothing is lost to the queue.

``playrunner serve`` runs ``webhook_workers`` worker threads in each process (0 to leave the
work to ``playrunner worker`` processes).
"""

from __future__ import annotations

import logging
import queue
import threading
import uuid
from pathlib import Path
from typing import Any

from huey import Huey, PostgresHuey, RedisHuey, SqliteHuey
from huey.consumer import Consumer
from sqlalchemy.engine import make_url

from playrunner.clock import utcnow
from playrunner.config import Settings
from playrunner.db import Database
from playrunner.db_failures import describe_failure
from playrunner.migrations import QUEUE_TABLE_PREFIX
from playrunner.webhooks import delivery, repository, service

logger = logging.getLogger("playrunner.webhooks")
QUEUE_NAME = "playrunner-webhooks"
SWEEP_BATCH = 500


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
    """Huey's consumer for webhook deliveries, with the sweep and the after-commit wake-up.

    In a serving process the threads start only once there is something to send (an enabled
    endpoint at start-up, or the first delivery written here), so a service without webhooks
    runs no workers."""

    def __init__(self, settings: Settings, database: Database) -> None:
        self.settings = settings
        self.database = database
        self._lock = threading.Lock()
        self._huey: Huey | None = None
        self._consumer: Consumer | None = None
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self._announced: queue.SimpleQueue[list[uuid.UUID]] = queue.SimpleQueue()

    @property
    def huey(self) -> Huey:
        with self._lock:
            if self._huey is None:
                self._huey = queue_storage(self.settings)
                self._register(self._huey)
            return self._huey

    def _register(self, huey: Huey) -> None:
        @huey.task(name="deliver")  # type: ignore[untyped-decorator]
        def deliver(delivery_id: str) -> None:
            wait = delivery.attempt(self.database, self.settings, uuid.UUID(delivery_id))
            if wait is not None:
                deliver.schedule((delivery_id,), delay=wait)

        self.deliver = deliver

    def enqueue(self, delivery_ids: list[uuid.UUID]) -> None:
        self.huey  # noqa: B018 (made, and its task registered, on first use)
        for delivery_id in delivery_ids:
            self.deliver(str(delivery_id))

    def sweep(self) -> int:
        """Enqueue every due delivery that no worker holds; how many."""
        with self.database.session(read_only=True) as session:
            due = repository.due(session, utcnow(), SWEEP_BATCH)
        self.enqueue(due)
        return len(due)

    # In a serving process

    def serve(self, threads: int, *, start: bool) -> None:
        """Hear of new deliveries from now on; start the threads now if ``start`` (there
        may be work already), else at the first delivery."""
        self._wanted = threads
        service.on_new_deliveries(self.announce)
        if start:
            self._start()

    def announce(self, delivery_ids: list[uuid.UUID]) -> None:
        """After a commit (on the event loop): hand the new deliveries to the relay thread."""
        self._start()
        self._announced.put(delivery_ids)

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
            threading.Thread(target=self._relay, name="webhook-relay", daemon=True),
            threading.Thread(target=self._sweeper, name="webhook-sweep", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        self._announced.put([])  # the relay sweeps once at start

    def _relay(self) -> None:
        self._sweep_logged()
        while not self._stop.is_set():
            try:
                ids = self._announced.get(timeout=0.5)
            except queue.Empty:
                continue
            try:
                self.enqueue(ids)
            except Exception as exc:
                logger.error(
                    "could not queue new webhook deliveries (the sweep will): %s",
                    describe_failure(exc),
                )

    def _sweeper(self) -> None:
        while not self._stop.wait(self.settings.webhook_sweep_seconds):
            self._sweep_logged()

    def _sweep_logged(self) -> None:
        try:
            self.sweep()
        except Exception as exc:
            logger.error("webhook sweep failed: %s", describe_failure(exc))

    def stop(self) -> None:
        self._stop.set()
        service.on_new_deliveries(None, replacing=self.announce)
        if self._consumer is not None:
            self._consumer.stop(graceful=True)
        for thread in self._threads:
            thread.join(timeout=5)

    # A worker process

    def run_forever(self, threads: int) -> None:
        """``playrunner worker``: huey's consumer in the foreground (it handles SIGINT and
        SIGTERM), sweeping beside it."""
        sweeper = threading.Thread(target=self._sweeper, name="webhook-sweep", daemon=True)
        sweeper.start()
        self._sweep_logged()
        try:
            Consumer(self.huey, workers=threads, periodic=False, max_delay=1.0).run()
        finally:
            self._stop.set()


class _QuietConsumer(Consumer):  # type: ignore[misc]
    """Huey's consumer inside a server process: the server owns the process's signals."""

    def _set_signal_handlers(self, *args: Any) -> None:
        return None
