"""Liveness and readiness: is the process up, and can it reach what it needs?"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from playrunner.db import Database
from playrunner.ratelimit.limiter import RateLimiter
from playrunner.ratelimit.shared import FallbackRateLimiter


@dataclass
class Check:
    ok: bool
    backend: str
    detail: str


@dataclass
class Readiness:
    checks: dict[str, Check] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return all(check.ok for check in self.checks.values())


async def readiness(database: Database, rate_limiter: RateLimiter) -> Readiness:
    report = Readiness()
    report.checks["database"] = await _check_database(database)
    report.checks["rate_limit"] = await _check_rate_limiter(rate_limiter)
    return report


async def _check_database(database: Database) -> Check:
    backend = database.url.get_backend_name()
    try:
        await database.read(lambda session: session.execute(text("SELECT 1")).scalar_one())
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return Check(False, backend, f"unreachable: {reason}")
    return Check(True, backend, "reachable")


async def _check_rate_limiter(rate_limiter: RateLimiter) -> Check:
    status = rate_limiter.status()
    if isinstance(rate_limiter, FallbackRateLimiter) and not await rate_limiter.shared.reachable():
        # Ask Redis now rather than wait for the next call to find out.
        return Check(
            False,
            status.backend,
            status.detail if not status.healthy else "Redis unreachable; counting per process",
        )
    return Check(status.healthy, status.backend, status.detail)
