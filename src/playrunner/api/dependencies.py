"""Dependencies every router shares, defined once."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from playrunner.api.state import app_state
from playrunner.db import Database


def get_database(request: Request) -> Database:
    return app_state(request).database


DatabaseDep = Annotated[Database, Depends(get_database)]
