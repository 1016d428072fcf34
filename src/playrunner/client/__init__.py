"""Playrunner's Python SDK: trigger SuccessPlays on Playrunner or Totango, and manage
Playrunner's accounts, plays, tasks, form requests and runs.

    from playrunner.client import Client

    with Client(token, "http://127.0.0.1:8000") as client:   # or "us" / "eu" for Totango
        result = client.run_manual_successplay(play_id, "acme", idempotency_key="crm-8812")
        print(result.run_id)

Importing it needs only httpx and pydantic: none of the server's dependencies.
"""

from playrunner.client._async import AsyncClient
from playrunner.client._config import REGIONS, Flavor, RetryPolicy
from playrunner.client._exceptions import (
    AccountNotFound,
    APIError,
    AuthenticationFailed,
    Conflict,
    ConnectionFailed,
    IdempotencyKeyReused,
    InvalidRequest,
    NotAuthorized,
    NotFound,
    PlayrunnerClientError,
    RateLimited,
    ServerError,
    ServiceUnavailable,
    SuccessPlayNotFound,
    SuccessPlayNotManual,
    UnexpectedResponse,
    UnsupportedOperation,
)
from playrunner.client._models import (
    Account,
    AccountUpsertItem,
    AccountUpsertResult,
    BulkRun,
    BulkRunItem,
    DryRun,
    DryRunAccount,
    DryRunFormRequest,
    DryRunTask,
    FormField,
    FormRequest,
    Page,
    Play,
    RateLimitState,
    Run,
    RunDetail,
    Task,
    TriggerResult,
)
from playrunner.client._sync import Client

__all__ = [
    "REGIONS",
    "APIError",
    "Account",
    "AccountNotFound",
    "AccountUpsertItem",
    "AccountUpsertResult",
    "AsyncClient",
    "AuthenticationFailed",
    "BulkRun",
    "BulkRunItem",
    "Client",
    "Conflict",
    "ConnectionFailed",
    "DryRun",
    "DryRunAccount",
    "DryRunFormRequest",
    "DryRunTask",
    "Flavor",
    "FormField",
    "FormRequest",
    "IdempotencyKeyReused",
    "InvalidRequest",
    "NotAuthorized",
    "NotFound",
    "Page",
    "Play",
    "PlayrunnerClientError",
    "RateLimitState",
    "RateLimited",
    "RetryPolicy",
    "Run",
    "RunDetail",
    "ServerError",
    "ServiceUnavailable",
    "SuccessPlayNotFound",
    "SuccessPlayNotManual",
    "Task",
    "TriggerResult",
    "UnexpectedResponse",
    "UnsupportedOperation",
]

# Shown as playrunner.client.X in tracebacks and reprs, as httpx does.
for _name in __all__:
    _member = globals()[_name]
    if getattr(_member, "__module__", "").startswith("playrunner.client._"):
        _member.__module__ = "playrunner.client"
del _name, _member
