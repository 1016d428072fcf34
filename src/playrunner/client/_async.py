"""``AsyncClient``: ``Client`` for asyncio, method for method (a test keeps them in step)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Any, Literal, TypeVar

import httpx

from playrunner.client import _endpoints as api
from playrunner.client._base import BaseClient, Call, Outcome, Sleep
from playrunner.client._config import Flavor, RetryPolicy
from playrunner.client._endpoints import AttributeFilter, Id
from playrunner.client._exceptions import ConnectionFailed
from playrunner.client._models import (
    Account,
    AccountUpsertResult,
    BulkRun,
    DryRun,
    FormRequest,
    Page,
    Play,
    Run,
    RunDetail,
    Task,
    TriggerResult,
)

T = TypeVar("T")


class AsyncClient(BaseClient):
    """Playrunner's or Totango's API, for asyncio; the same options as ``Client``.

    ``base_url``: ``"us"``, ``"eu"`` (Totango's hosts) or any URL. ``flavor``: which API the
    server speaks; by default Totango for Totango's hosts, Playrunner otherwise. Against
    Totango the client sends only what Totango documents. ``pace``: at most this many calls
    a minute (``burst`` at once); off by default. ``transport``, ``clock`` and ``sleep`` are
    for tests and special networks.
    """

    def __init__(
        self,
        token: str,
        base_url: str,
        *,
        flavor: Flavor | None = None,
        timeout: float | httpx.Timeout = 30.0,
        retries: RetryPolicy | None = None,
        pace: float | None = None,
        burst: int = 1,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(
            token,
            base_url,
            flavor=flavor,
            timeout=timeout,
            retries=retries,
            pace=pace,
            burst=burst,
            clock=clock,
        )
        self._sleep = sleep or asyncio.sleep
        self._http = httpx.AsyncClient(transport=transport, follow_redirects=False)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _send(self, call: Call[T]) -> T:
        conversation = self.conversation(call)
        outcome: Outcome = None
        while True:
            try:
                step = conversation.send(outcome)
            except StopIteration as done:
                result: T = done.value
                return result
            if isinstance(step, Sleep):
                await self._sleep(step.seconds)
                outcome = None
                continue
            try:
                outcome = await self._http.send(step.request)
            except httpx.TransportError as exc:
                outcome = exc
            except httpx.HTTPError as exc:  # an answer that cannot be read (bad encoding)
                raise ConnectionFailed(f"Unreadable answer from {self.base_url}: {exc}") from exc

    # The trigger path ---------------------------------------------------------------------

    async def run_manual_successplay(
        self, successplay_id: Id, account_id: str, *, idempotency_key: str | None = None
    ) -> TriggerResult:
        """Run a manual SuccessPlay on an account (Totango's trigger API)."""
        call = api.run_manual_successplay(self.flavor, successplay_id, account_id, idempotency_key)
        return await self._send(call)

    async def dry_run(self, successplay_id: Id, account_id: str) -> DryRun:
        """Every check of a trigger, and what it would create; writes nothing."""
        return await self._send(api.dry_run(successplay_id, account_id))

    async def run_bulk(
        self,
        successplay_id: Id,
        account_ids: Sequence[str] | None = None,
        *,
        attributes: AttributeFilter | None = None,
        idempotency_key: str | None = None,
    ) -> BulkRun:
        """Run a play on up to 10,000 accounts, by id or by attribute values, in one call."""
        return await self._send(
            api.run_bulk(successplay_id, account_ids, attributes, idempotency_key)
        )

    async def get_run(self, run_id: Id) -> RunDetail:
        """A run and the current status of every task and form request it made."""
        return await self._send(api.get_run(run_id))

    async def list_runs(
        self,
        *,
        play: Id | None = None,
        account: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Page[Run]:
        return await self._send(api.list_runs(play, account, since, until, limit, offset))

    # Accounts -----------------------------------------------------------------------------

    async def list_accounts(
        self,
        *,
        parent: str | None = None,
        attributes: AttributeFilter | None = None,
        holder: str | None = None,
        role: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Page[Account]:
        return await self._send(api.list_accounts(parent, attributes, holder, role, limit, offset))

    async def get_account(self, account_id: str) -> Account:
        return await self._send(api.get_account(account_id))

    async def create_account(
        self,
        account_id: str,
        name: str,
        *,
        parent_account_id: str | None = None,
        attributes: Mapping[str, Any] | None = None,
        roles: Mapping[str, str] | None = None,
    ) -> Account:
        """Create an account; ``Conflict`` if the id is taken."""
        call = api.create_account(account_id, name, parent_account_id, attributes, roles)
        return await self._send(call)

    async def put_account(
        self,
        account_id: str,
        name: str,
        *,
        parent_account_id: str | None = None,
        attributes: Mapping[str, Any] | None = None,
        roles: Mapping[str, str] | None = None,
    ) -> Account:
        """Create the account, or replace it whole."""
        call = api.put_account(account_id, name, parent_account_id, attributes, roles)
        return await self._send(call)

    async def update_account(self, account_id: str, changes: Mapping[str, Any]) -> Account:
        """Change only the fields given; attributes and roles merge, ``None`` removes one."""
        return await self._send(api.update_account(account_id, changes))

    async def delete_account(self, account_id: str) -> None:
        return await self._send(api.delete_account(account_id))

    async def upsert_accounts(self, accounts: Sequence[Mapping[str, Any]]) -> AccountUpsertResult:
        """Create or replace up to 10,000 accounts; one result per item."""
        return await self._send(api.upsert_accounts(accounts))

    # SuccessPlays -------------------------------------------------------------------------

    async def list_plays(
        self,
        *,
        trigger: Literal["manual", "event"] | None = None,
        status: Literal["active", "inactive"] | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Page[Play]:
        return await self._send(api.list_plays(trigger, status, limit, offset))

    async def get_play(self, play_id: Id) -> Play:
        return await self._send(api.get_play(play_id))

    async def create_play(self, spec: Mapping[str, Any]) -> Play:
        """Create a play from its description (name, description, triggers, actions, ...)."""
        return await self._send(api.create_play(spec))

    async def replace_play(self, play_id: Id, spec: Mapping[str, Any]) -> Play:
        return await self._send(api.replace_play(play_id, spec))

    async def enable_play(self, play_id: Id) -> Play:
        return await self._send(api.set_play_active(play_id, True))

    async def disable_play(self, play_id: Id) -> Play:
        """It no longer runs; its open tasks stay open."""
        return await self._send(api.set_play_active(play_id, False))

    async def delete_play(
        self, play_id: Id, *, open_tasks: Literal["refuse", "cancel"] = "refuse"
    ) -> None:
        return await self._send(api.delete_play(play_id, open_tasks))

    # Tasks --------------------------------------------------------------------------------

    async def list_tasks(
        self,
        *,
        assignee: str | None = None,
        account: str | None = None,
        status: str | None = None,
        play: Id | None = None,
        due_before: date | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Page[Task]:
        """``status``: open, closed, not_started, started, completed or cancelled."""
        call = api.list_tasks(assignee, account, status, play, due_before, limit, offset)
        return await self._send(call)

    async def get_task(self, task_id: Id) -> Task:
        return await self._send(api.get_task(task_id))

    async def create_task(
        self,
        account_id: str,
        title: str,
        *,
        description: str = "",
        due_date: date | None = None,
        priority: int = 2,
        assignee: str | None = None,
        activity_type_id: str | None = None,
    ) -> Task:
        """Totango's Tasks API; ``priority`` 1 high, 2 normal, 3 low."""
        call = api.create_task(
            account_id, title, description, due_date, priority, assignee, activity_type_id
        )
        return await self._send(call)

    async def update_task(self, task_id: Id, changes: Mapping[str, Any]) -> Task:
        """Change only the fields given, e.g. ``{"status": "completed"}``."""
        return await self._send(api.update_task(task_id, changes))

    async def delete_task(self, task_id: Id) -> None:
        return await self._send(api.delete_task(task_id))

    # Form requests ------------------------------------------------------------------------

    async def list_form_requests(
        self,
        *,
        assignee: str | None = None,
        status: str | None = None,
        account: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Page[FormRequest]:
        """``status``: open, submitted or cancelled."""
        return await self._send(api.list_form_requests(assignee, status, account, limit, offset))

    async def get_form_request(self, request_id: Id) -> FormRequest:
        return await self._send(api.get_form_request(request_id))

    async def submit_form_request(self, request_id: Id, answers: Mapping[str, Any]) -> FormRequest:
        """Answer a form request; the answers update the account's attributes."""
        return await self._send(api.submit_form_request(request_id, answers))

    async def cancel_form_request(self, request_id: Id) -> FormRequest:
        return await self._send(api.cancel_form_request(request_id))
