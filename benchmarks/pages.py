"""The web app's pages at scale: 10,000 accounts and 100,000 tasks (a third of them Jane's),
each page fetched by a signed-in browser one request at a time, after a few to warm up; the
time is the server's answer on loopback (median and 95th percentile of ``REPEATS``)."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from html.parser import HTMLParser

import httpx

from playrunner.accounts import bulk
from playrunner.db import Database
from playrunner.demo.seed import DEMO_TENANT_ID, SUCCESS_MANAGERS, USER, USER_PASSWORD

ACCOUNTS = 10_000
TASKS = 100_000
REPEATS = 30
WARM_UP = 3
TARGET_MS = 50.0


@dataclass
class PageTiming:
    page: str
    median_ms: float
    p95_ms: float


def seed_accounts(database_url: str) -> list[str]:
    """10,000 accounts, their Success Managers taking turns (Jane holds a third)."""
    database = Database(database_url)
    ids = [f"page-{n:05}" for n in range(ACCOUNTS)]
    managers = [email for email, _ in SUCCESS_MANAGERS]
    with database.session() as session:
        result = bulk.bulk_upsert(
            session,
            DEMO_TENANT_ID,
            [
                {
                    "account_id": account_id,
                    "name": f"Pages {account_id}",
                    "attributes": {"segment": ("Enterprise", "SMB")[n % 2]},
                    "roles": {"Success Manager": managers[n % len(managers)]},
                }
                for n, account_id in enumerate(ids)
            ],
        )
    database.dispose()
    assert result.failed == 0
    return ids


def seed_tasks(base_url: str, token: str, play_id: str, form_play_id: str, ids: list[str]) -> None:
    """100,000 tasks: the task play run on every account, ten times, with bulk calls; and a
    form request for Jane."""
    with httpx.Client(base_url=base_url, headers={"app-token": token}, timeout=300) as api:
        for _ in range(TASKS // len(ids)):
            api.post(
                "/api/v2/automations/run-manual-successplay/bulk",
                json={"successplayId": play_id, "accountIds": ids},
            ).raise_for_status()
        api.post(
            "/api/v2/automations/run-manual-successplay",
            json={"successplayId": form_play_id, "accountId": "acme"},
        ).raise_for_status()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hidden: dict[str, str] = {}
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("type") == "hidden":
            self.hidden[str(found.get("name"))] = found.get("value") or ""
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))


def _parse(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def measure_pages(base_url: str, form_play_id: str) -> list[PageTiming]:
    with httpx.Client(base_url=base_url, timeout=30) as browser:
        form = _parse(browser.get("/sign-in").text).hidden
        signed_in = browser.post(
            "/sign-in", data={**form, "email": USER[0], "password": USER_PASSWORD}
        )
        assert signed_in.status_code == 303, signed_in.text
        links = _parse(browser.get("/my-work").text).links
        task = next(link for link in links if link.startswith("/tasks/"))
        forms = _parse(browser.get(f"/my-work?play={form_play_id}").text).links
        request = next(link for link in forms if link.startswith("/form-requests/"))
        pages = [
            "/my-work",
            "/my-work?status=overdue",
            "/my-work?account=page-0004",
            "/my-work?status=all&offset=20000",
            "/accounts",
            "/accounts?q=page-0999",
            "/accounts/page-00042",
            task,
            request,
        ]
        timings = []
        for page in pages:
            for _ in range(WARM_UP):  # the first requests compile statements and fill caches
                browser.get(page)
            durations = []
            for _ in range(REPEATS):
                started = time.perf_counter()
                answer = browser.get(page)
                durations.append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 200, (page, answer.status_code)
            durations.sort()
            timings.append(
                PageTiming(
                    page.split("?")[0]
                    .replace(task, "/tasks/{id}")
                    .replace(request, "/form-requests/{id}")
                    + (("?" + page.split("?")[1]) if "?" in page else ""),
                    statistics.median(durations),
                    durations[int(0.95 * (len(durations) - 1))],
                )
            )
        return timings


def render(timings: list[PageTiming]) -> str:
    lines = [
        "",
        f"Pages (SQLite, 1 process; {ACCOUNTS:,} accounts, {TASKS:,} tasks, a third of them"
        f" the signed-in Success Manager's; {REPEATS} requests each, one at a time):",
        "",
        "| page | median ms | p95 ms | under 50 ms |",
        "|---|---:|---:|:---:|",
    ]
    for timing in timings:
        ok = "yes" if timing.p95_ms < TARGET_MS else "**no**"
        lines.append(f"| `{timing.page}` | {timing.median_ms:.1f} | {timing.p95_ms:.1f} | {ok} |")
    return "\n".join(lines) + "\n"
