"""What ``Client`` and ``AsyncClient`` share: every rule, written once, without I/O.

A call is a ``Call`` (the request and how to read its answer). ``BaseClient.conversation``
is a generator that decides everything about it (pacing, sending, waiting out a 429,
retrying, raising) and yields the two things only a sync or async client can do, ``Send``
and ``Sleep``; ``Client`` and ``AsyncClient`` each drive it in a dozen lines.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import httpx

from playrunner import __version__
from playrunner.client._config import Flavor, Pacer, RetryPolicy, detect_flavor, resolve_base_url
from playrunner.client._exceptions import (
    ConnectionFailed,
    RateLimited,
    UnexpectedResponse,
    UnsupportedOperation,
    error_from_response,
    seconds_header,
)

T = TypeVar("T")
QueryValue = str | int | list[str]

USER_AGENT = f"playrunner-python/{__version__}"


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One API call: the request to make, and how to read a successful answer."""

    method: str
    path: str
    read: Callable[[httpx.Response], T]
    params: Mapping[str, QueryValue | None] = field(default_factory=dict)
    json: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    # A connection error may be retried: a read, or a write the server will not repeat.
    retry_on_connection_error: bool = False
    # The call exists only in Playrunner's API (not in Totango's).
    playrunner_only: bool = True
    name: str = ""


@dataclass(frozen=True, slots=True)
class Send:
    request: httpx.Request


@dataclass(frozen=True, slots=True)
class Sleep:
    seconds: float


Step = Send | Sleep
Outcome = httpx.Response | httpx.TransportError | None


class BaseClient:
    """Configuration and the conversation every call goes through."""

    def __init__(
        self,
        token: str,
        base_url: str,
        *,
        flavor: Flavor | None,
        timeout: float | httpx.Timeout,
        retries: RetryPolicy | None,
        pace: float | None,
        burst: int,
        clock: Callable[[], float] | None,
    ) -> None:
        if not token or not token.strip():
            raise ValueError("token must not be empty")
        self.base_url = resolve_base_url(base_url)
        self.flavor: Flavor = flavor or detect_flavor(self.base_url)
        if self.flavor not in ("playrunner", "totango"):
            raise ValueError("flavor must be 'playrunner' or 'totango'")
        self.retries = retries or RetryPolicy()
        self.pacer = Pacer(pace, burst) if pace else None
        self._token = token.strip()
        self._timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self._clock = clock or time.monotonic

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, flavor={self.flavor!r})"

    @property
    def _default_headers(self) -> dict[str, str]:
        # Totango's documented header; Playrunner reads the same one.
        return {
            "app-token": self._token,
            "Accept": "*/*",
            "Accept-Encoding": "gzip, deflate",
            "User-Agent": USER_AGENT,
        }

    def build_request(self, call: Call[Any]) -> httpx.Request:
        params = {name: value for name, value in call.params.items() if value is not None}
        return httpx.Request(
            call.method,
            self.base_url + call.path,
            params=params or None,
            json=call.json,
            headers={**self._default_headers, **call.headers},
            extensions={"timeout": self._timeout.as_dict()},
        )

    def conversation(self, call: Call[T]) -> Generator[Step, Outcome, T]:
        """Every decision about one call; yields what to do, receives what happened."""
        if call.playrunner_only and self.flavor == "totango":
            raise UnsupportedOperation(
                f"{call.name or call.path} is part of Playrunner's API, not Totango's "
                f"({self.base_url}); pass flavor='playrunner' if this server is Playrunner"
            )
        request = self.build_request(call)
        rate_limited = transient = 0
        while True:
            if self.pacer is not None:
                wait = self.pacer.reserve(self._clock())
                if wait > 0:
                    yield Sleep(wait)
            outcome = yield Send(request)
            if isinstance(outcome, httpx.TransportError):
                if not call.retry_on_connection_error or transient >= self.retries.transient:
                    raise ConnectionFailed(
                        f"No answer from {self.base_url} ({type(outcome).__name__}: {outcome})"
                    ) from outcome
                yield Sleep(self.retries.backoff * 2**transient)
                transient += 1
                continue
            assert outcome is not None
            response = outcome
            self._observe(response)
            if response.status_code == 429:
                error = error_from_response(response)
                assert isinstance(error, RateLimited)
                if (
                    rate_limited >= self.retries.rate_limited
                    or error.reset_after > self.retries.max_wait
                ):
                    raise error
                rate_limited += 1
                yield Sleep(error.reset_after)
                continue
            if (
                response.status_code == 503
                and self.flavor == "playrunner"
                and transient < self.retries.transient
            ):
                # Playrunner's 503 means it wrote nothing, so any call may be sent again
                # (Totango, or a proxy in front of it, promises no such thing).
                retry_after = seconds_header(response.headers, "retry-after")
                yield Sleep(min(self.retries.max_wait, retry_after or self.retries.backoff))
                transient += 1
                continue
            if response.is_error:
                raise error_from_response(response)
            if response.is_redirect:
                # Not followed: the token header would go wherever the redirect points.
                raise UnexpectedResponse(
                    f"{self.base_url} redirected to {response.headers.get('location')}; "
                    "use that address as base_url",
                    response,
                )
            return call.read(response)

    def _observe(self, response: httpx.Response) -> None:
        """When pacing, also hold back while the server says the window is spent."""
        if self.pacer is None or response.status_code == 429:
            return
        if seconds_header(response.headers, "ratelimit-remaining") == 0:
            reset = seconds_header(response.headers, "ratelimit-reset")
            if reset:
                self.pacer.hold_until(self._clock() + min(reset, self.retries.max_wait))


def connection_retry_allowed(method: str, idempotency_key: str | None, flavor: Flavor) -> bool:
    """Reads may always be sent again; a write only with a key the server honours."""
    return method == "GET" or (idempotency_key is not None and flavor == "playrunner")
