"""``make bench``: the trigger call under load, as a ratio of a bare ASGI app on the same server.

Every configuration is measured in this one run against its own baseline (this machine is
noisy; only same-run ratios mean something). Loopback only, bounded in time and in requests.
Prints a Markdown table and writes it to benchmarks/results/latest.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg
from sqlalchemy.engine import make_url

from benchmarks import pages as page_bench
from playrunner.accounts import bulk
from playrunner.config import Settings
from playrunner.db import Database
from playrunner.demo.seed import ADMIN as DEMO_ADMIN
from playrunner.demo.seed import DEMO_TENANT_ID, seed_demo
from playrunner.demo.seed import play_id as demo_play_id
from playrunner.inbound import service as inbound_service
from playrunner.inbound.schemas import RuleWrite, SourceCreate
from playrunner.migrations import upgrade
from playrunner.notifications import service as notifications_service
from playrunner.runs import announcements
from playrunner.tokens import service as tokens_service
from playrunner.users import service as users_service
from playrunner.webhooks import service as webhooks_service
from playrunner.webhooks import signing
from playrunner.webhooks.schemas import EndpointCreate

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
CONNECTIONS = 32
TOKENS = 4000
MEMORY_CALLS = 200_000
PORT = int(os.environ.get("PLAYRUNNER_BENCH_PORT", "8931"))
POSTGRES_URL = os.environ.get(
    "PLAYRUNNER_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("PLAYRUNNER_BENCH_REDIS_URL", "redis://127.0.0.1:6379/1")


@dataclass
class Load:
    requests: int
    seconds: float
    non_2xx: int
    socket_errors: int
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


@dataclass
class Workload:
    tokens_file: Path
    play_id: str
    accounts: str


class Server:
    """A server process on the benchmark port, ready when its /healthz (or / ) answers."""

    def __init__(
        self, command: list[str], env: dict[str, str], log: Path, port: int = PORT
    ) -> None:
        # Granian binds with SO_REUSEPORT: a server left on the port would silently share
        # the load (and answer with its own data).
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                raise SystemExit(f"port {port} is already in use (PLAYRUNNER_BENCH_PORT=...)")
        self.log = log.open("w")
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"server exited; see {log}")
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise SystemExit(f"server did not start; see {log}")

    def pids(self) -> list[int]:
        """The server's process and its worker processes."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(pid) for pid in children.read_text().split()]
        return pids

    def rss_mb(self) -> float:
        """Resident memory of the server and its worker processes."""
        total_kb = 0
        for pid in self.pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        return total_kb / 1024

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server and its worker processes have used so far:
        unlike requests per second, hardly moved by what else this machine runs."""
        ticks = 0
        for pid in self.pids():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def wrk(workload: Workload, seconds: float, max_requests: int = 0) -> Load:
    arguments = [str(workload.tokens_file), workload.play_id, workload.accounts]
    return run_wrk("trigger.lua", [*arguments, str(max_requests)], seconds)


def run_wrk(script: str, arguments: list[str], seconds: float) -> Load:
    """wrk with one of this folder's scripts (each prints a RESULT line)."""
    command = [
        "wrk",
        "-t1",
        f"-c{CONNECTIONS}",
        f"-d{seconds:.0f}s",
        "--timeout",
        "10s",
        "-s",
        str(HERE / script),
        f"http://127.0.0.1:{PORT}",
        "--",
        *arguments,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    data = json.loads(line.removeprefix("RESULT "))
    return Load(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        non_2xx=data["non_2xx"],
        socket_errors=data["socket_errors"],
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
    )


def wrk_calls(workload: Workload, calls: int) -> int:
    """Exactly ``calls`` trigger calls (wrk stops sending at its limit but then waits out its
    duration, so the calls are made in chunks sized from the measured rate). Returns how many
    were not answered 2xx."""
    done, rate, failed = 0, 0.0, 0
    while done < calls:
        remaining = calls - done
        seconds = 10.0 if rate == 0 else min(30.0, max(2.0, 1.2 * remaining / rate))
        load = wrk(workload, seconds, max_requests=remaining)
        if load.requests < remaining:
            rate = load.rps
        done += load.requests
        failed += load.non_2xx + load.socket_errors
    return failed


def seed(database_url: str, workdir: Path, name: str) -> Workload:
    """The demo service plus enough admin tokens that no token reaches its limit."""
    database = Database(database_url)
    upgrade(database.engine)
    with database.session() as session:
        info = seed_demo(session)
        admin = users_service.principal_for(
            users_service.get_by_email(session, info.service_id, info.admin_email)
        )
        secrets = [
            tokens_service.create_token(session, admin, f"bench {n}", "never").secret
            for n in range(TOKENS)
        ]
    database.dispose()
    tokens_file = workdir / f"tokens-{name}.txt"
    tokens_file.write_text("\n".join(secrets) + "\n")
    return Workload(tokens_file, info.plays["task"], ",".join(info.accounts))


BULK_ACCOUNTS = 10_000


def seed_bulk_accounts(database_url: str) -> list[str]:
    """10,000 more accounts, each with a Success Manager, for the bulk case."""
    database = Database(database_url)
    ids = [f"bulk-{n:05}" for n in range(BULK_ACCOUNTS)]
    with database.session() as session:
        result = bulk.bulk_upsert(
            session,
            DEMO_TENANT_ID,
            [
                {
                    "account_id": account_id,
                    "name": f"Bulk {account_id}",
                    "attributes": {"segment": "SMB"},
                    "roles": {"Success Manager": "jane.csm@demo.playrunner.dev"},
                }
                for account_id in ids
            ],
        )
    database.dispose()
    assert result.failed == 0
    return ids


def measure_bulk(server: Server, workload: Workload, token: str, ids: list[str]) -> float:
    """Median seconds for one bulk call running the play on every account."""
    body = {"successplayId": workload.play_id, "accountIds": ids}
    seconds = []
    try:
        for _ in range(3):
            started = time.perf_counter()
            response = httpx.post(
                f"http://127.0.0.1:{PORT}/api/v2/automations/run-manual-successplay/bulk",
                json=body,
                headers={"app-token": token},
                timeout=120,
            )
            seconds.append(time.perf_counter() - started)
            response.raise_for_status()
            assert response.json()["succeeded"] == len(ids)
    finally:
        server.stop()
    return sorted(seconds)[1]


def fresh_postgres_database() -> str:
    admin_url = make_url(POSTGRES_URL)
    name = "playrunner_bench"
    libpq = admin_url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return admin_url.set(database=name).render_as_string(hide_password=False)


def environment(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLAYRUNNER_")}
    env.update(settings)
    return env


def playrunner(workers: int, env: dict[str, str], log: Path) -> Server:
    return Server(
        [
            sys.executable,
            "-m",
            "playrunner",
            "serve",
            "--port",
            str(PORT),
            "--workers",
            str(workers),
        ],
        env,
        log,
    )


def baseline(workers: int, log: Path, port: int = PORT) -> Server:
    # The same server and settings `playrunner serve` uses (server.py): Granian, ASGI,
    # HTTP/1.1, uvloop, no access log.
    return Server(
        [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "asgi",
            "benchmarks.baseline:app",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--loop",
            "uvloop",
            "--http",
            "1",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        environment(PYTHONPATH=str(HERE.parent)),
        log,
        port,
    )


def measure(server: Server, workload: Workload, seconds: float) -> Load:
    try:
        wrk(workload, 2)  # warm-up: connections, pools, caches
        return wrk(workload, seconds)
    finally:
        server.stop()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10, help="length of each measured run")
    parser.add_argument("--memory-calls", type=int, default=MEMORY_CALLS)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument(
        "--pages-only", action="store_true", help="only the web app's pages at scale"
    )
    parser.add_argument(
        "--notifications-only",
        action="store_true",
        help="only the trigger call with webhooks and email off and on",
    )
    parser.add_argument(
        "--events-only",
        action="store_true",
        help="only inbound events against the trigger call (SQLite, PostgreSQL + Redis)",
    )
    parser.add_argument(
        "--trigger-only",
        action="store_true",
        help="only the trigger call's rows and the memory check",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="only profile the SQLite server under load with py-spy (results/profile.svg)",
    )
    return parser


def main() -> None:
    args = _parser().parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `make bench` installs it (apt-get install wrk)")
    if args.profile:
        profile(args.seconds)
        return

    RESULTS.mkdir(exist_ok=True)
    if args.pages_only:
        publish(pages(), "pages.md")
        return
    if args.notifications_only:
        publish(notifications_only(args.seconds), "notifications.md")
        return
    if args.events_only:
        publish(events_only(args.seconds, args.skip_postgres), "events.md")
        return
    with tempfile.TemporaryDirectory(prefix="playrunner-bench-") as tmp:
        workdir = Path(tmp)
        sqlite_url = f"sqlite:///{workdir / 'bench.db'}"
        workload = seed(sqlite_url, workdir, "sqlite")
        sqlite_env = environment(PLAYRUNNER_DATABASE_URL=sqlite_url)
        if args.trigger_only:
            publish(trigger_report(args, workdir, workload, sqlite_env)[0], "trigger.md")
            return
        bulk_ids = seed_bulk_accounts(sqlite_url)
        bulk_token = workload.tokens_file.read_text().split()[0]
        bulk_seconds = measure_bulk(
            playrunner(1, sqlite_env, workdir / "bulk.log"), workload, bulk_token, bulk_ids
        )
        notifications = measure_notifications(
            sqlite_url, sqlite_env, workload, workdir, args.seconds
        )
        events = [("SQLite", *events_rows(sqlite_url, sqlite_env, workload, workdir, args.seconds))]
        if not args.skip_postgres:
            postgres_url = fresh_postgres_database()
            pg_workload = seed(postgres_url, workdir, "postgresql-events")
            pg_env = postgres_environment(postgres_url)
            pg_events = events_rows(postgres_url, pg_env, pg_workload, workdir, args.seconds)
            events.append(("PostgreSQL + Redis", *pg_events))
        report, single = trigger_report(args, workdir, workload, sqlite_env)
    report += "\n" + render_notifications(notifications, args.seconds)
    report += "\n" + render_events(events, args.seconds)
    report += (
        f"\nBulk (SQLite, 1 process): one call running the play on {BULK_ACCOUNTS:,} accounts "
        f"took {bulk_seconds:.2f} s (median of 3); as single calls at the rate above it would "
        f"take {BULK_ACCOUNTS / single:.1f} s"
        f" ({BULK_ACCOUNTS / single / bulk_seconds:.0f}x).\n"
    )
    publish(report + pages(), "latest.md")


def postgres_environment(postgres_url: str) -> dict[str, str]:
    return environment(PLAYRUNNER_DATABASE_URL=postgres_url, PLAYRUNNER_REDIS_URL=REDIS_URL)


def trigger_report(
    args: argparse.Namespace, workdir: Path, workload: Workload, sqlite_env: dict[str, str]
) -> tuple[str, float]:
    """The trigger call's rows (SQLite, durable and not; PostgreSQL + Redis with 1 and 2
    workers, each beside the bare baseline with as many processes) and the memory check;
    and the SQLite single-process rate."""
    rows: list[tuple[str, Load, Load | None]] = []
    base1 = measure(baseline(1, workdir / "baseline1.log"), workload, args.seconds)
    rows.append(("bare ASGI baseline, 1 process", base1, None))
    sqlite1 = measure(playrunner(1, sqlite_env, workdir / "sqlite.log"), workload, args.seconds)
    rows.append(("Playrunner, SQLite, 1 process", sqlite1, base1))
    # What durability costs: the default fsyncs every group commit (synchronous=FULL).
    normal_env = {**sqlite_env, "PLAYRUNNER_SQLITE_SYNCHRONOUS": "NORMAL"}
    normal = measure(playrunner(1, normal_env, workdir / "normal.log"), workload, args.seconds)
    rows.append(("Playrunner, SQLite, 1 process, synchronous=NORMAL (not durable)", normal, base1))
    if not args.skip_postgres:
        postgres_url = fresh_postgres_database()
        pg_workload = seed(postgres_url, workdir, "postgresql")
        pg_env = postgres_environment(postgres_url)
        pg1 = measure(playrunner(1, pg_env, workdir / "pg1.log"), pg_workload, args.seconds)
        rows.append(("Playrunner, PostgreSQL + Redis, 1 worker", pg1, base1))
        base2 = measure(baseline(2, workdir / "baseline2.log"), pg_workload, args.seconds)
        rows.append(("bare ASGI baseline, 2 workers", base2, None))
        pg2 = measure(playrunner(2, pg_env, workdir / "pg2.log"), pg_workload, args.seconds)
        rows.append(("Playrunner, PostgreSQL + Redis, 2 workers", pg2, base2))
    before, after, memory_seconds, memory_failures = measure_memory(
        playrunner(1, sqlite_env, workdir / "memory.log"), workload, args.memory_calls
    )
    report = render(
        rows, before, after, args.memory_calls, memory_seconds, args.seconds, memory_failures
    )
    return report, sqlite1.rps


# Inbound events (issue 15): signed events stored per second, against the trigger call.
EVENTS_PER_SECOND_CEILING = 6000  # events made per measured second (more than any run takes)


@dataclass(frozen=True)
class Source:
    path: str  # where its events are posted
    secret: str  # what signs them


def prepare_events(database_url: str) -> Source:
    """An event source on the demo service, with a rule setting an attribute on the account
    each event names (processed after the load)."""
    settings = Settings(database_url=database_url, secret_key=BENCH_KEY)
    database = Database(database_url)
    with database.session() as session:
        admin = users_service.principal_for(
            users_service.get_by_email(session, DEMO_TENANT_ID, DEMO_ADMIN[0])
        )
        source = inbound_service.create_source(
            session, admin, SourceCreate(name=f"bench {time.time_ns()}"), settings
        )
        rule = RuleWrite.model_validate(
            {
                "name": "Seen",
                "match": {"type": "seen"},
                "account_path": "account",
                "action": "set_attributes",
                "attributes": {"last_seen": "at"},
            }
        )
        inbound_service.add_rule(session, admin, source.id, rule)
    database.dispose()
    return Source(source.events_url, source.secret)


def signed_events(source: Source, accounts: list[str], count: int, file: Path) -> Path:
    """``count`` events for the source, each with its own id, signed now."""
    secret = source.secret
    now = datetime.now(UTC)
    with file.open("w") as out:
        for n in range(count):
            body = json.dumps({"type": "seen", "account": accounts[n % len(accounts)], "at": n})
            headers = signing.signature_headers(secret, f"msg_{n}_{time.time_ns()}", now, body)
            out.write(
                f"{headers['webhook-id']}\t{headers['webhook-timestamp']}\t"
                f"{headers['webhook-signature']}\t{body}\n"
            )
    return file


def measure_events(
    server: Server, source: Source, accounts: list[str], workdir: Path, seconds: float
) -> Load:
    """Signed events posted to the server as fast as it stores them (each new: 202)."""
    try:
        warm = signed_events(source, accounts, 2 * EVENTS_PER_SECOND_CEILING, workdir / "w.txt")
        run_wrk("events.lua", [str(warm), source.path], 2)
        count = int(seconds * EVENTS_PER_SECOND_CEILING)
        events = signed_events(source, accounts, count, workdir / "events.txt")
        return run_wrk("events.lua", [str(events), source.path], seconds)
    finally:
        server.stop()


def events_rows(
    database_url: str, env: dict[str, str], workload: Workload, workdir: Path, seconds: float
) -> tuple[Load, Load]:
    """The trigger call, then inbound events, on the same kind of server, back to back."""
    source = prepare_events(database_url)
    accounts = workload.accounts.split(",")
    env = {**env, "PLAYRUNNER_SECRET_KEY": BENCH_KEY}
    trigger = measure(playrunner(1, env, workdir / "trigger.log"), workload, seconds)
    events = measure_events(
        playrunner(1, env, workdir / "events.log"), source, accounts, workdir, seconds
    )
    return trigger, events


def render_events(results: list[tuple[str, Load, Load]], seconds: float) -> str:
    lines = [
        f"Inbound events (1 process, {seconds:.0f} s per run): signed events stored (202) per"
        " second, against the trigger call on the same kind of server just before.",
        "",
        "| database | trigger call requests/s | events/s | p99 ms (events) | non-2xx | events /"
        " trigger |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, trigger, events in results:
        errors = events.non_2xx + events.socket_errors
        lines.append(
            f"| {name} | {trigger.rps:,.0f} | {events.rps:,.0f} | {events.p99_ms:.2f} |"
            f" {errors} | {events.rps / trigger.rps:.1f}x |"
        )
    return "\n".join(lines) + "\n"


def events_only(seconds: float, skip_postgres: bool) -> str:
    results: list[tuple[str, Load, Load]] = []
    with tempfile.TemporaryDirectory(prefix="playrunner-bench-") as tmp:
        workdir = Path(tmp)
        sqlite_url = f"sqlite:///{workdir / 'bench.db'}"
        workload = seed(sqlite_url, workdir, "sqlite")
        env = environment(PLAYRUNNER_DATABASE_URL=sqlite_url)
        results.append(("SQLite", *events_rows(sqlite_url, env, workload, workdir, seconds)))
        if not skip_postgres:
            postgres_url = fresh_postgres_database()
            pg_workload = seed(postgres_url, workdir, "postgresql")
            pg_env = environment(
                PLAYRUNNER_DATABASE_URL=postgres_url, PLAYRUNNER_REDIS_URL=REDIS_URL
            )
            rows = events_rows(postgres_url, pg_env, pg_workload, workdir, seconds)
            results.append(("PostgreSQL + Redis", *rows))
    return render_events(results, seconds)


def notifications_only(seconds: float) -> str:
    with tempfile.TemporaryDirectory(prefix="playrunner-bench-") as tmp:
        workdir = Path(tmp)
        sqlite_url = f"sqlite:///{workdir / 'bench.db'}"
        workload = seed(sqlite_url, workdir, "sqlite")
        env = environment(PLAYRUNNER_DATABASE_URL=sqlite_url)
        result = measure_notifications(sqlite_url, env, workload, workdir, seconds)
    return render_notifications(result, seconds)


RECEIVER_PORT = PORT + 1
SMTP_PORT = PORT + 2
SINK = ("-c", "aiosmtpd.handlers.Sink")  # an SMTP server that accepts and drops every email
BENCH_KEY = "bench-webhook-key"
DRAIN_LIMIT_SECONDS = 300


NOTIFICATION_ROUNDS = 3  # off, on, off, on, off, on, off: each "on" between two "off"


@dataclass
class Notified:
    """The trigger call with notifications off and on, alternately (this machine drifts:
    the "on" runs are compared with the "off" runs around them), and what became of the
    notifications: how many runs were still to announce or deliver when each "on" load
    stopped, how long the server took to send them after it, and how many ended in each
    status."""

    runs: list[tuple[str, Load, float]]  # ("off" | "on", load, CPU ms per call), in order
    waiting_at_end: list[int]
    drain_seconds: list[float | None]
    deliveries: str
    emails: str

    def mean(self, kind: str) -> float:
        loads = [load.rps for name, load, _ in self.runs if name == kind]
        return sum(loads) / len(loads)

    def mean_cpu(self, kind: str) -> float:
        costs = [cpu for name, _, cpu in self.runs if name == kind]
        return sum(costs) / len(costs)


def with_cpu(server: Server, workload: Workload, seconds: float) -> tuple[Load, float]:
    """The load (after a warm-up) and the server's CPU milliseconds per call during it."""
    wrk(workload, 2)
    before = server.cpu_seconds()
    load = wrk(workload, seconds)
    return load, 1000 * (server.cpu_seconds() - before) / max(load.requests, 1)


def measure_notifications(
    database_url: str, env: dict[str, str], workload: Workload, workdir: Path, seconds: float
) -> Notified:
    """The trigger call with webhooks and email on: an endpoint takes every event (each
    call's run.created and task.created) and SMTP is configured (each call emails the
    account's Success Manager). Each call writes its run's announcement in its transaction;
    the server's own worker threads expand them into events, deliveries and emails and send
    those to a receiver and an SMTP server on this machine (the bare baseline app;
    aiosmtpd's sink). Off and on alternate, off first and last."""
    settings = Settings(
        database_url=database_url, secret_key=BENCH_KEY, webhooks_allow_private_networks=True
    )
    on_env = {
        **env,
        "PLAYRUNNER_SECRET_KEY": BENCH_KEY,
        "PLAYRUNNER_WEBHOOKS_ALLOW_PRIVATE_NETWORKS": "true",
        "PLAYRUNNER_SMTP_HOST": "127.0.0.1",
        "PLAYRUNNER_SMTP_PORT": str(SMTP_PORT),
        "PLAYRUNNER_SMTP_SECURITY": "none",
        "PLAYRUNNER_SMTP_FROM": "playrunner@bench.example",
    }
    database = Database(database_url)
    with database.session() as session:
        admin = users_service.principal_for(
            users_service.get_by_email(session, DEMO_TENANT_ID, DEMO_ADMIN[0])
        )
    receiver = baseline(1, workdir / "receiver.log", RECEIVER_PORT)
    smtp_log = (workdir / "smtp.log").open("w")
    smtp = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{SMTP_PORT}", *SINK],
        stdout=smtp_log,
        stderr=subprocess.STDOUT,
    )
    runs: list[tuple[str, Load, float]] = []
    waiting: list[int] = []
    drains: list[float | None] = []

    def off(log: Path) -> None:
        server = playrunner(1, env, log)
        try:
            runs.append(("off", *with_cpu(server, workload, seconds)))
        finally:
            server.stop()

    try:
        for round_number in range(NOTIFICATION_ROUNDS):
            off(workdir / f"off-{round_number}.log")
            with database.session() as session:
                spec = EndpointCreate(url=f"http://127.0.0.1:{RECEIVER_PORT}/hooks", events=["*"])
                endpoint = webhooks_service.create_endpoint(session, admin, spec, settings)
            server = playrunner(1, on_env, workdir / f"on-{round_number}.log")
            try:
                runs.append(("on", *with_cpu(server, workload, seconds)))
                left, drain = drained(database)
                waiting.append(left)
                drains.append(drain)
            finally:
                server.stop()
            with database.session() as session:
                webhooks_service.delete_endpoint(session, admin, endpoint.id)
        off(workdir / "off.log")
    finally:
        receiver.stop()
        smtp.terminate()
        smtp.wait(timeout=20)
        smtp_log.close()
    with database.session() as session:
        deliveries = webhooks_service.delivery_counts(session, DEMO_TENANT_ID)
        emails = notifications_service.email_counts(session, DEMO_TENANT_ID)
    database.dispose()
    return Notified(runs, waiting, drains, _statuses(deliveries), _statuses(emails))


def drained(database: Database) -> tuple[int, float | None]:
    """How many runs were not yet announced or had webhook deliveries waiting when the load
    stopped, and how long until none had (None: still some after DRAIN_LIMIT_SECONDS)."""
    started = time.monotonic()
    waiting_at_end: int | None = None
    while time.monotonic() - started < DRAIN_LIMIT_SECONDS:
        with database.session(read_only=True) as session:
            waiting = announcements.waiting_runs(session, DEMO_TENANT_ID)
            waiting += webhooks_service.delivery_counts(session, DEMO_TENANT_ID).get("pending", 0)
        if waiting_at_end is None:
            waiting_at_end = waiting
        if waiting == 0:
            return waiting_at_end, time.monotonic() - started
        time.sleep(0.25)
    return waiting_at_end or 0, None


def _statuses(counts: dict[str, int]) -> str:
    return ", ".join(f"{count:,} {status}" for status, count in sorted(counts.items())) or "none"


def render_notifications(result: Notified, seconds: float) -> str:
    off_rps, on_rps = result.mean("off"), result.mean("on")
    cost = 100 * (1 - on_rps / off_rps)
    off_cpu, on_cpu = result.mean_cpu("off"), result.mean_cpu("on")
    drains = ", ".join(
        f"{d:.1f} s" if d is not None else f"more than {DRAIN_LIMIT_SECONDS} s"
        for d in result.drain_seconds
    )
    lines = [
        f"Notifications (SQLite, 1 process, {seconds:.0f} s per run): webhooks for every event"
        " and an email per run, sent by the server's own workers; off and on alternate.",
        "",
        "| notifications | requests/s | server CPU ms per call | p50 ms | p99 ms | non-2xx |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, load, cpu in result.runs:
        label = "on (webhooks + email)" if name == "on" else "off"
        errors = load.non_2xx + load.socket_errors
        lines.append(
            f"| {label} | {load.rps:,.0f} | {cpu:.2f} | {load.p50_ms:.2f} | {load.p99_ms:.2f}"
            f" | {errors} |"
        )
    waiting = ", ".join(f"{w:,}" for w in result.waiting_at_end)
    lines += [
        "",
        f"Turning them on costs the trigger call {cost:.1f}% of its throughput (mean of the"
        f" on runs {on_rps:,.0f} requests/s against the mean of the off runs {off_rps:,.0f});"
        f" the server's CPU per call, which other work on this machine hardly moves, is"
        f" {100 * (on_cpu / off_cpu - 1):.1f}% higher ({on_cpu:.2f} ms against {off_cpu:.2f}).",
        f"Runs not yet announced plus webhook deliveries waiting when each on load stopped:"
        f" {waiting}; all announced and sent {drains} later.",
        f"Deliveries: {result.deliveries}. Emails: {result.emails}.",
    ]
    return "\n".join(lines) + "\n"


def measure_memory(
    server: Server, workload: Workload, calls: int
) -> tuple[float, float, float, int]:
    """Resident memory before and after ``calls`` more calls (after 5,000 to warm up), how
    long they took, and how many were not answered 2xx."""
    try:
        wrk_calls(workload, 5000)
        before = server.rss_mb()
        started = time.monotonic()
        failures = wrk_calls(workload, calls)
        seconds = time.monotonic() - started
        after = server.rss_mb()
    finally:
        server.stop()
    return before, after, seconds, failures


def publish(report: str, name: str) -> None:
    print(report)
    (RESULTS / name).write_text(report)


def pages() -> str:
    """The web app's pages on SQLite at 10,000 accounts and 100,000 tasks."""
    with tempfile.TemporaryDirectory(prefix="playrunner-pages-") as tmp:
        workdir = Path(tmp)
        sqlite_url = f"sqlite:///{workdir / 'pages.db'}"
        workload = seed(sqlite_url, workdir, "pages")
        ids = page_bench.seed_accounts(sqlite_url)
        env = environment(PLAYRUNNER_DATABASE_URL=sqlite_url)
        server = playrunner(1, env, workdir / "pages.log")
        try:
            base_url = f"http://127.0.0.1:{PORT}"
            token = workload.tokens_file.read_text().split()[0]
            form_play = str(demo_play_id("form"))
            page_bench.seed_tasks(base_url, token, workload.play_id, form_play, ids)
            timings = page_bench.measure_pages(base_url, form_play)
        finally:
            server.stop()
    return page_bench.render(timings)


def profile(seconds: float) -> None:
    """A py-spy flame graph of the SQLite server while wrk drives the trigger call."""
    RESULTS.mkdir(exist_ok=True)
    output = RESULTS / "profile.svg"
    with tempfile.TemporaryDirectory(prefix="playrunner-profile-") as tmp:
        workdir = Path(tmp)
        sqlite_url = f"sqlite:///{workdir / 'bench.db'}"
        workload = seed(sqlite_url, workdir, "sqlite")
        server = playrunner(1, environment(PLAYRUNNER_DATABASE_URL=sqlite_url), workdir / "s.log")
        try:
            wrk(workload, 2)
            recorder = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "py-spy"),
                    "record",
                    "--pid",
                    str(server.process.pid),
                    "--duration",
                    f"{seconds:.0f}",
                    "--rate",
                    "250",
                    "--output",
                    str(output),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            load = wrk(workload, seconds + 1)
            recorder.wait(timeout=seconds + 60)
        finally:
            server.stop()
    print(f"{load.rps:,.0f} requests/s while profiling; flame graph: {output}")


def render(
    rows: list[tuple[str, Load, Load | None]],
    before: float,
    after: float,
    calls: int,
    memory_seconds: float,
    seconds: float,
    memory_failures: int,
) -> str:
    lines = [
        f"Trigger call, {CONNECTIONS} connections, wrk -t1, {seconds:.0f} s per run, "
        f"{TOKENS} tokens in rotation, {time.strftime('%Y-%m-%d')}.",
        f"Machine: {machine()}.",
        "",
        "| configuration | requests/s | p50 ms | p99 ms | vs baseline | non-2xx |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, load, base in rows:
        ratio = f"{100 * load.rps / base.rps:.1f}%" if base else "100%"
        errors = load.non_2xx + load.socket_errors
        lines.append(
            f"| {name} | {load.rps:,.0f} | {load.p50_ms:.2f} | {load.p99_ms:.2f} | {ratio} "
            f"| {errors} |"
        )
    lines += [
        "",
        f"Memory (SQLite, 1 process): {before:.1f} MB resident after 5,000 warm-up calls, "
        f"{after:.1f} MB after {calls:,} more calls ({memory_seconds:.0f} s): "
        f"growth {after - before:+.1f} MB; {memory_failures} of them not answered 2xx.",
    ]
    return "\n".join(lines) + "\n"


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}"


if __name__ == "__main__":
    main()
