"""Builders for test data, all through the service layer so tests see real rules."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from playrunner.accounts import service as accounts_service
from playrunner.auth.principal import Principal
from playrunner.db import Database
from playrunner.flows import service as flows_service
from playrunner.forms import service as forms_service
from playrunner.forms.schemas import FormSpec
from playrunner.models import Account, Form, SuccessPlay, Tenant, User, UserRole
from playrunner.plays import service as plays_service
from playrunner.plays.schemas import PlaySpec
from playrunner.tenants import service as tenants_service
from playrunner.tokens import service as tokens_service
from playrunner.users import service as users_service

T = TypeVar("T")
_counter = itertools.count(1)

SENTIMENT_FORM: dict[str, Any] = {
    "name": "Sentiment",
    "fields": [
        {
            "attribute": "sentiment",
            "label": "Sentiment",
            "type": "list",
            "options": ["Green", "Yellow", "Red"],
            "required": True,
        },
        {"attribute": "note", "label": "Note", "type": "text"},
        {"attribute": "score", "label": "Score", "type": "number"},
        {"attribute": "renewal", "label": "Renewal", "type": "date"},
        {
            "attribute": "channels",
            "label": "Channels",
            "type": "multi_select",
            "options": ["email", "phone", "chat"],
        },
        {"attribute": "reference", "label": "Reference", "type": "boolean"},
    ],
}


def task_play(**overrides: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "name": "Follow-up",
        "description": "Follow up after a Salesforce click",
        "triggers": ["manual"],
        "actions": [
            {
                "type": "create_task",
                "title": "Follow up with {{ account.name }}",
                "description": "Segment {{ account.attributes.segment }}, by {{ runner.name }}",
                "priority": 1,
                "due_in_days": 3,
                "assignee": {"kind": "account_role", "role": "Success Manager"},
            }
        ],
    }
    spec.update(overrides)
    return spec


class Factory:
    """Makes tenants, users, accounts, plays and tokens in their own committed transactions."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def _run(self, work: Callable[[Session], T]) -> T:
        return self.database.run_sync(work)

    def tenant(self, name: str | None = None) -> Tenant:
        return self._run(lambda s: tenants_service.create_tenant(s, name or f"T{next(_counter)}"))

    def user(
        self, tenant: Tenant, role: UserRole = UserRole.USER, email: str | None = None
    ) -> User:
        email = email or f"user{next(_counter)}@example.com"
        return self._run(
            lambda s: users_service.create_user(s, tenant.id, email, email.split("@")[0], role)
        )

    def admin(self, tenant: Tenant) -> User:
        return self.user(tenant, UserRole.SERVICE_ADMIN)

    def token(self, user: User, expires: str = "30d") -> str:
        return self._run(
            lambda s: tokens_service.create_token(
                s, users_service.principal_for(user), "test", expires
            )
        ).secret

    def account(
        self,
        tenant: Tenant,
        account_id: str | None = None,
        *,
        name: str | None = None,
        success_manager: User | None = None,
        parent: Account | None = None,
        attributes: dict[str, Any] | None = None,
    ) -> Account:
        account_id = account_id or f"acct-{next(_counter)}"

        def work(s: Session) -> Account:
            account = accounts_service.create_account(
                s,
                tenant.id,
                account_id,
                name or f"{account_id} Ltd",
                attributes=attributes or {"segment": "Enterprise"},
                parent_account_id=parent.account_id if parent else None,
            )
            if success_manager is not None:
                accounts_service.assign_role(
                    s, tenant.id, account, "Success Manager", success_manager.email
                )
            return account

        return self._run(work)

    def flow(self, tenant: Tenant, key: str = "renewal") -> None:
        self._run(lambda s: flows_service.create_flow(s, tenant.id, key, key.title()))

    def form(self, tenant: Tenant, spec: dict[str, Any] | None = None) -> Form:
        form_spec = FormSpec.model_validate(spec or SENTIMENT_FORM)
        return self._run(lambda s: forms_service.create_form(s, tenant.id, form_spec))

    def play(
        self, tenant: Tenant, spec: dict[str, Any] | None = None, *, key: str | None = None
    ) -> SuccessPlay:
        play_spec = PlaySpec.model_validate(spec or task_play())
        return self._run(lambda s: plays_service.create_play(s, tenant.id, play_spec, key=key))

    def principal(self, user: User) -> Principal:
        return users_service.principal_for(user)


def new_uuid() -> str:
    return str(uuid.uuid4())
