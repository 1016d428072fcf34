"""Accounts as the API accepts and shows them."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field

from playrunner.accounts.external_ids import canonical_external_id
from playrunner.forms.schemas import ATTRIBUTE_PATTERN
from playrunner.validation import EmailAddress, StrictModel

MAX_BULK = 10_000
_ATTRIBUTE = re.compile(ATTRIBUTE_PATTERN)

AttributeValue = str | int | float | bool | list[str] | None
# An account's URLs (/api/v1/accounts/<id>, /accounts/<id>) cannot reach an account whose id
# is a path of its own there: a concrete path comes before a template (api/methods.py).
URL_RESERVED_ACCOUNT_IDS = frozenset({"bulk", "new", "import"})


def _addressable(account_id: str) -> str:
    if account_id.strip() in URL_RESERVED_ACCOUNT_IDS:
        raise ValueError(
            f"{account_id.strip()!r} cannot be an account id: /api/v1/accounts/bulk and the"
            " pages /accounts/new and /accounts/import would hide its URL"
        )
    return account_id


AccountId = Annotated[
    str,
    Field(min_length=1, max_length=255, examples=["acme"]),
    AfterValidator(_addressable),
]


def _check_attribute_names(attributes: dict[str, Any]) -> dict[str, Any]:
    for key in attributes:
        if not _ATTRIBUTE.match(key):
            raise ValueError(
                f"attribute name {key!r} must be letters, digits and '_', not starting with a digit"
            )
    return attributes


Attributes = Annotated[dict[str, AttributeValue], AfterValidator(_check_attribute_names)]


def _stored_form(system: str, value: str) -> str:
    try:
        return canonical_external_id(system, value)
    except ValueError as problem:
        raise ValueError(f"{system}: {problem}") from None


def _stored_ids(ids: dict[str, str]) -> dict[str, str]:
    return {system: _stored_form(system, value) for system, value in ids.items()}


def _stored_changes(ids: dict[str, str | None]) -> dict[str, str | None]:
    return {
        system: None if value is None else _stored_form(system, value)
        for system, value in ids.items()
    }


EXTERNAL_IDS_DESCRIPTION = (
    "The account's ids in other systems, by system (lower-case letters, digits and '_'): a "
    "trigger, a bulk run or a run link may name the account by any of them, and each names "
    "one account of the service. A Salesforce id may be given in its 15- or 18-character "
    "form; it is stored and shown in its 18-character form."
)
EXTERNAL_IDS_EXAMPLE = {"salesforce": "001Dn00000AbCdEIAV"}
ExternalIds = Annotated[dict[str, str], AfterValidator(_stored_ids)]
ExternalIdChanges = Annotated[dict[str, str | None], AfterValidator(_stored_changes)]


class AccountBody(StrictModel):
    """A whole account but its id (which the URL gives): PUT creates or replaces it."""

    name: str = Field(min_length=1, max_length=255, examples=["Acme Inc."])
    parent_account_id: str | None = Field(default=None, examples=["acme-holdings"])
    attributes: Attributes = Field(
        default_factory=dict, examples=[{"segment": "Enterprise", "sentiment": "Green"}]
    )
    roles: dict[str, str | None] = Field(
        default_factory=dict,
        description="Account role name -> user email",
        examples=[{"Success Manager": "jane@example.com"}],
    )
    external_ids: ExternalIds | None = Field(
        default=None,
        description=EXTERNAL_IDS_DESCRIPTION
        + " Given, they replace the account's ({} removes them all); left out, they are kept.",
        examples=[EXTERNAL_IDS_EXAMPLE],
    )


class AccountWrite(AccountBody):
    """A whole account: create it, or replace it (upsert) by its ``account_id``."""

    account_id: AccountId


class AccountPatch(StrictModel):
    """Only the fields given change. ``attributes`` and ``roles`` merge into what the account
    has; a ``null`` value removes that attribute or clears that role; ``parent_account_id:
    null`` detaches the account from its parent."""

    name: str | None = Field(default=None, min_length=1, max_length=255, examples=["Acme Corp"])
    parent_account_id: str | None = Field(default=None, examples=["acme-holdings"])
    attributes: Attributes | None = Field(
        default=None, examples=[{"sentiment": "Red", "renewal_risk": None}]
    )
    roles: dict[str, str | None] | None = Field(
        default=None, examples=[{"Success Manager": "raj@example.com"}]
    )
    external_ids: ExternalIdChanges | None = Field(
        default=None,
        description=EXTERNAL_IDS_DESCRIPTION + " A null value removes that system's id.",
        examples=[{"salesforce": "001Dn00000AbCdE", "hubspot": None}],
    )


class AccountRead(BaseModel):
    account_id: str
    name: str
    parent_account_id: str | None
    attributes: dict[str, Any]
    roles: dict[str, str] = Field(description="Account role name -> user email")
    external_ids: dict[str, str] = Field(
        description="The account's ids in other systems, by system",
        examples=[EXTERNAL_IDS_EXAMPLE],
    )
    created_at: datetime
    updated_at: datetime


class BulkUpsert(StrictModel):
    accounts: list[dict[str, Any]] = Field(
        max_length=MAX_BULK,
        examples=[
            [
                {"account_id": "acme", "name": "Acme Inc.", "attributes": {"segment": "SMB"}},
                {"account_id": "acme-emea", "name": "Acme EMEA", "parent_account_id": "acme"},
            ]
        ],
        description=f"Up to {MAX_BULK:,} accounts, each as in PUT /api/v1/accounts/{{id}}",
    )


class BulkItemResult(BaseModel):
    index: int
    account_id: str | None
    status: str = Field(examples=["created", "updated", "error"])
    error: str | None = None


class BulkResult(BaseModel):
    created: int
    updated: int
    failed: int
    results: list[BulkItemResult]


class RoleHolderWrite(StrictModel):
    email: EmailAddress


class AccountRoleWrite(StrictModel):
    name: str = Field(min_length=1, max_length=100, examples=["Onboarding Manager"])


class AccountRoleRead(BaseModel):
    name: str
