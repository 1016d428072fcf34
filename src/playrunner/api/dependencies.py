"""Dependencies every router shares, defined once."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from playrunner.api.state import app_state
from playrunner.db import Database


def get_database(request: Request) -> Database:
    return app_state(request).database


DatabaseDep = Annotated[Database, Depends(get_database)]


def client_address(request: Request) -> str:
    """Who is calling, by address (behind a proxy: as PLAYRUNNER_FORWARDED_ALLOW_IPS allows)."""
    return request.client.host if request.client is not None else "unknown"
