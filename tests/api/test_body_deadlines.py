"""Slow request bodies are refused by one timer per event loop (``BodyDeadlines``): a body late
past its deadline is a 408, a body on time is read, and a request cancelled for another reason
(the client went away, the server stops) stays cancelled."""

from __future__ import annotations

import asyncio

import pytest
from starlette.exceptions import HTTPException
from starlette.types import Message, Receive

from playrunner.api.middleware import BodyDeadlines, LimitedBody


def _receive_after(seconds: float) -> Receive:
    async def receive() -> Message:
        await asyncio.sleep(seconds)
        return {"type": "http.request", "body": b"{}", "more_body": False}

    return receive


async def _read(deadlines: BodyDeadlines, sending: float, timeout: float) -> Message:
    body = LimitedBody(_receive_after(sending), None, 1000, timeout, deadlines)
    return await body()


def test_a_late_body_is_a_408_and_one_on_time_is_read() -> None:
    deadlines = BodyDeadlines()

    async def both() -> tuple[Message | BaseException, Message | BaseException]:
        return await asyncio.gather(
            _read(deadlines, sending=5, timeout=0.2),
            _read(deadlines, sending=0.05, timeout=0.2),
            return_exceptions=True,
        )

    late, on_time = asyncio.run(both())
    assert isinstance(late, HTTPException)
    assert (late.status_code, late.detail) == (408, "Request body was not sent within 0.2 seconds")
    assert on_time == {"type": "http.request", "body": b"{}", "more_body": False}


def test_a_request_cancelled_for_another_reason_stays_cancelled() -> None:
    deadlines = BodyDeadlines()

    async def cancelled_by_someone_else() -> None:
        reading = asyncio.create_task(_read(deadlines, sending=5, timeout=1))
        await asyncio.sleep(0.05)
        reading.cancel()
        await reading

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(cancelled_by_someone_else())


def test_a_request_cancelled_by_someone_else_as_its_deadline_passes_stays_cancelled() -> None:
    deadlines = BodyDeadlines()

    async def cancelled_twice() -> None:
        reading = asyncio.create_task(_read(deadlines, sending=5, timeout=0))
        await asyncio.sleep(0.01)  # waiting for its body, past its deadline
        deadlines._check()  # the deadline's timer fires ...
        reading.cancel()  # ... as the server cancels the request, in the same loop turn
        await reading

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(cancelled_twice())
