"""What the application holds for its routes: settings, the database, the rate limiter, and
the work it runs in the background."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from playrunner.config import Settings
from playrunner.db import Database
from playrunner.ratelimit.limiter import RateLimiter


@dataclass(frozen=True)
class AppState:
    settings: Settings
    database: Database
    rate_limiter: RateLimiter
    # Work started by a request that goes on after its answer (an account import): held here
    # so it is not collected, and cancelled when the app stops.
    background: set[asyncio.Task[None]] = field(default_factory=set)

    def run_in_background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self.background.add(task)
        task.add_done_callback(self.background.discard)


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.playrunner
    return state
