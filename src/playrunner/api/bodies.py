"""Reading a JSON body by hand, for routes that must check things before the body (Totango's
check order) or answer body errors in Totango's words."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request

from playrunner.errors import InvalidRequest


async def read_json_body(request: Request, *, expected: str = "a JSON object") -> Any:
    body = await request.body()
    if not body.strip():
        raise InvalidRequest(f"Request body must be {expected}", field="body")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidRequest(f"Request body is not valid JSON: {exc}", field="body") from None
