"""The baseline: a bare ASGI app that answers ``Success`` to anything, doing nothing else.

Served by the same server (Granian) with the same settings as Playrunner, it is the ceiling this
machine and this server put on any Python answer; Playrunner is reported as a ratio of it.
"""

from __future__ import annotations

from typing import Any

_HEADERS = [(b"content-type", b"text/plain; charset=utf-8")]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": b"Success"})
