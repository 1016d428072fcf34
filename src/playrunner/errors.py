"""Every error a caller can cause, each with its HTTP status and exact message.

Services raise these; ``playrunner.api.errors`` renders them (plain text for clients of
the Totango-compatible API, RFC 9457 problem details otherwise) and the CLI prints them.
Nothing here knows about HTTP frameworks.
"""

from __future__ import annotations


class PlayrunnerError(Exception):
    """Base class: ``message`` is shown to the caller as is."""

    status_code = 400
    code = "bad_request"
    title = "Bad request"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        errors: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        # One entry per failed rule ({"field": ..., "message": ...}) when there are several.
        self.errors = errors or []
        self.headers: dict[str, str] = {}


class AuthenticationFailed(PlayrunnerError):
    status_code = 401
    code = "authentication_failed"
    title = "Authentication failed"


class RateLimitExceeded(PlayrunnerError):
    status_code = 429
    code = "rate_limited"
    title = "Too many requests"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__("Too many requests")
        self.retry_after_seconds = retry_after_seconds
        self.headers["Retry-After"] = str(retry_after_seconds)


class PermissionDenied(PlayrunnerError):
    status_code = 403
    code = "permission_denied"
    title = "Permission denied"


class InvalidRequest(PlayrunnerError):
    """The request itself is malformed; ``field`` names the part at fault."""

    status_code = 400
    code = "invalid_request"
    title = "Invalid request"


class NotFound(PlayrunnerError):
    status_code = 404
    code = "not_found"
    title = "Not found"


class Conflict(PlayrunnerError):
    status_code = 409
    code = "conflict"
    title = "Conflict"


class IdempotencyKeyReused(PlayrunnerError):
    status_code = 422
    code = "idempotency_key_reused"
    title = "Idempotency-Key reused"


class ServiceUnavailable(PlayrunnerError):
    status_code = 503
    code = "database_unavailable"
    title = "Service unavailable"


class InternalFailure(PlayrunnerError):
    """A fault of Playrunner's, not the caller's. The message never carries the details."""

    status_code = 500
    code = "internal_error"
    title = "Internal error"


# The trigger API's documented failures. Totango answers them with status 400 (its Tasks
# API documents 400 for "Account not found"), so they are 400 here too, not 404.


class SuccessPlayNotFound(PlayrunnerError):
    code = "successplay_not_found"
    title = "SuccessPlay not found"

    def __init__(self) -> None:
        super().__init__("SuccessPlay not found", field="successplayId")


class SuccessPlayNotManual(PlayrunnerError):
    code = "successplay_not_manual"
    title = "SuccessPlay is not configured as manual"

    def __init__(self) -> None:
        super().__init__("SuccessPlay is not configured as manual", field="successplayId")


class AccountNotFound(PlayrunnerError):
    code = "account_not_found"
    title = "Account not found"

    def __init__(self) -> None:
        super().__init__("Account not found", field="accountId")
