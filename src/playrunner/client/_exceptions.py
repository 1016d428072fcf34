"""Every error the client raises, under one base class:

    PlayrunnerClientError            anything this client raises on purpose
    ├── ConnectionFailed             no answer: the server could not be reached, or the
    │                                connection broke or timed out (the call may have run)
    ├── UnsupportedOperation         the call is Playrunner's, but the client talks to Totango
    ├── UnexpectedResponse           an answer that is neither a documented success nor error
    └── APIError                     the server refused the call; status_code, message, code
        ├── AuthenticationFailed     401: token missing, unknown, expired or revoked
        ├── NotAuthorized            403: "User is not authorized with role: SERVICE_ADMIN"
        ├── SuccessPlayNotFound      "SuccessPlay not found" (no such play, or inactive)
        ├── SuccessPlayNotManual     "SuccessPlay is not configured as manual"
        ├── AccountNotFound          "Account not found"
        ├── RateLimited              429 after the retries allowed; reset_after, reset_at
        ├── InvalidRequest           400: anything else about the request (field names it)
        ├── NotFound                 404: no such account, play, task, run, ...
        ├── Conflict                 409: the change breaks a rule about current state
        ├── IdempotencyKeyReused     422: the key was used with a different request
        ├── ServiceUnavailable       503: nothing was written; retry shortly
        └── ServerError              any other 5xx

The trigger's four documented failures are recognised by Totango's exact words (whatever
the status code) and by the ``code`` of Playrunner's RFC 9457 problem documents.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx

# Totango's rate-limit article: "Retry-After" of 60 seconds when nothing else is said.
DEFAULT_RATE_LIMIT_WAIT = 60.0


class PlayrunnerClientError(Exception):
    """Base class of every error this client raises."""


class ConnectionFailed(PlayrunnerClientError):
    """No answer came back; a call that was sent may or may not have run."""


class UnsupportedOperation(PlayrunnerClientError):
    """The call exists only in Playrunner's API, and this client talks to Totango."""


class UnexpectedResponse(PlayrunnerClientError):
    """The server answered something the API does not document (a proxy's page, say)."""

    def __init__(self, message: str, response: httpx.Response) -> None:
        super().__init__(message)
        self.response = response


class APIError(PlayrunnerClientError):
    """The server refused the call. ``message`` is its exact words."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: str | None = None,
        field: str | None = None,
        request_id: str | None = None,
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.code = code  # Playrunner's problem code, e.g. "account_not_found"; None from Totango
        self.field = field
        self.request_id = request_id
        self.response = response

    def __str__(self) -> str:
        return f"{self.message} (HTTP {self.status_code})"


class AuthenticationFailed(APIError):
    """401: the token is missing, unknown, expired or revoked, or its user is deactivated."""


class NotAuthorized(APIError):
    """403: the token's user may not do this (the trigger needs a global admin)."""


class SuccessPlayNotFound(APIError):
    """No such SuccessPlay, or it is not active."""


class SuccessPlayNotManual(APIError):
    """The SuccessPlay is not configured to be triggered manually."""


class AccountNotFound(APIError):
    """No account with that id."""


class RateLimited(APIError):
    """429 after the retries allowed. ``reset_after``: seconds until calls are accepted again,
    from the moment of the answer; ``reset_at``: that moment as an aware UTC datetime."""

    def __init__(
        self,
        message: str,
        *,
        reset_after: float,
        limit: int | None = None,
        remaining: int | None = None,
        status_code: int = 429,
        code: str | None = None,
        field: str | None = None,
        request_id: str | None = None,
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(
            message,
            status_code=status_code,
            code=code,
            field=field,
            request_id=request_id,
            response=response,
        )
        self.reset_after = reset_after
        self.reset_at = datetime.now(UTC) + timedelta(seconds=reset_after)
        self.limit = limit
        self.remaining = remaining


class InvalidRequest(APIError):
    """400 for any other reason: ``field`` names the part of the request at fault."""


class NotFound(APIError):
    """404: the account, play, task, form request or run does not exist (for this caller)."""


class Conflict(APIError):
    """409: the change is not possible in the current state (a task already completed, ...)."""


class IdempotencyKeyReused(APIError):
    """422: the Idempotency-Key was already used with a different request."""


class ServiceUnavailable(APIError):
    """503: the server's database is unavailable or busy; nothing was written."""


class ServerError(APIError):
    """Any other 5xx: a fault of the server's."""


# Totango's documented messages, and the problem codes Playrunner gives the same failures.
_BY_MESSAGE: dict[str, type[APIError]] = {
    "User is not authorized with role: SERVICE_ADMIN": NotAuthorized,
    "SuccessPlay not found": SuccessPlayNotFound,
    "SuccessPlay is not configured as manual": SuccessPlayNotManual,
    "Account not found": AccountNotFound,
    "Too many requests": RateLimited,
}
_BY_CODE: dict[str, type[APIError]] = {
    "authentication_failed": AuthenticationFailed,
    "permission_denied": NotAuthorized,
    "successplay_not_found": SuccessPlayNotFound,
    "successplay_not_manual": SuccessPlayNotManual,
    "account_not_found": AccountNotFound,
    "rate_limited": RateLimited,
    "invalid_request": InvalidRequest,
    "not_found": NotFound,
    "conflict": Conflict,
    "idempotency_key_reused": IdempotencyKeyReused,
    "database_unavailable": ServiceUnavailable,
    "internal_error": ServerError,
}
_BY_STATUS: dict[int, type[APIError]] = {
    400: InvalidRequest,
    401: AuthenticationFailed,
    403: NotAuthorized,
    404: NotFound,
    409: Conflict,
    422: InvalidRequest,
    429: RateLimited,
    503: ServiceUnavailable,
}


def documented_failure(message: str) -> type[APIError] | None:
    """The error class for one of Totango's documented messages, if ``message`` is one."""
    return _BY_MESSAGE.get(message)


def error_from_response(response: httpx.Response) -> APIError:
    """The exception for an error answer: by problem code, then Totango's words, then status."""
    message, code, field, request_id = _read_error(response)
    request_id = request_id or response.headers.get("x-request-id")
    kind = (
        (RateLimited if response.status_code == 429 else None)
        or _BY_CODE.get(code or "")
        or _BY_MESSAGE.get(message)
        or _BY_STATUS.get(response.status_code)
        or (ServerError if response.status_code >= 500 else APIError)
    )
    if kind is RateLimited:
        return RateLimited(
            message or "Too many requests",
            reset_after=rate_limit_wait(response.headers),
            limit=_int_header(response.headers, "ratelimit-limit"),
            remaining=_int_header(response.headers, "ratelimit-remaining"),
            status_code=response.status_code,
            code=code,
            field=field,
            request_id=request_id,
            response=response,
        )
    return kind(
        message or f"HTTP {response.status_code}",
        status_code=response.status_code,
        code=code,
        field=field,
        request_id=request_id,
        response=response,
    )


def rate_limit_wait(headers: httpx.Headers) -> float:
    """Seconds to wait after a 429: the longer of ``RateLimit-Reset`` and ``Retry-After``
    (seconds or an HTTP date), or Totango's documented 60 seconds when neither is given."""
    waits = [
        wait
        for wait in (_seconds(headers.get("ratelimit-reset")), _retry_after(headers))
        if wait is not None
    ]
    return max(waits) if waits else DEFAULT_RATE_LIMIT_WAIT


def seconds_header(headers: httpx.Headers, name: str) -> float | None:
    """A header that gives a number of seconds, or None when absent or not a number."""
    return _seconds(headers.get(name))


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after")
    seconds = _seconds(value)
    if seconds is not None or value is None:
        return seconds
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


MAX_HEADER_SECONDS = 86_400.0
"""A day: no rate-limit window is longer, so a larger header value is read as this."""


def _seconds(value: str | None) -> float | None:
    """A header's number of seconds, within 0 and a day; None when it is not a finite number."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return min(MAX_HEADER_SECONDS, max(0.0, seconds)) if math.isfinite(seconds) else None


def _int_header(headers: httpx.Headers, name: str) -> int | None:
    try:
        return int(headers[name])
    except (KeyError, ValueError):
        return None


def _read_error(response: httpx.Response) -> tuple[str, str | None, str | None, str | None]:
    """(message, code, field, request id) from problem JSON, a JSON string, or plain text."""
    text = response.text.strip()
    if "json" in response.headers.get("content-type", ""):
        try:
            document = json.loads(text)
        except ValueError:
            return text, None, None, None
        if isinstance(document, str):  # Totango's 429 body: "Too many requests"
            return document.strip(), None, None, None
        if isinstance(document, dict):
            message = next(
                (
                    document[key].strip()
                    for key in ("detail", "message", "error", "title")
                    if isinstance(document.get(key), str)
                ),
                text,
            )
            return (
                message,
                _text(document.get("code")),
                _text(document.get("field")),
                _text(document.get("request_id")),
            )
    return text, None, None, None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
