"""What the application holds for its routes: settings, the database, the rate limiter."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from playrunner.config import Settings
from playrunner.db import Database
from playrunner.ratelimit.limiter import RateLimiter


@dataclass(frozen=True)
class AppState:
    settings: Settings
    database: Database
    rate_limiter: RateLimiter


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.playrunner
    return state
