from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, ScalarSelect, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from playrunner.clock import utcnow
from playrunner.models.base import Base, UUIDPrimaryKey


class Account(UUIDPrimaryKey, Base):
    """A customer account. ``account_id`` is the customer's own identifier."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("tenant_id", "account_id"),)

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    account_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @classmethod
    def key_of(cls, tenant_id: str, account_id: str) -> ScalarSelect[uuid.UUID]:
        """The key of the tenant's account with this id, as a subquery (NULL when there is
        none): a filter by account then uses the filtered table's index on the key, instead
        of joining every row to read the account's id."""
        return (
            select(cls.id)
            .where(cls.tenant_id == tenant_id, cls.account_id == account_id)
            .scalar_subquery()
        )


class AccountExternalId(Base):
    """An account's id in another system (``system``: "salesforce", ...), at most one per
    system. A trigger sends a bare id without naming the system, so within a service an
    external id names one account whatever its system; that unique constraint is also the
    index the lookup uses."""

    __tablename__ = "account_external_ids"
    __table_args__ = (UniqueConstraint("tenant_id", "external_id"),)

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    system: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(255))


class AccountRole(UUIDPrimaryKey, Base):
    """A role on the account team, such as "Success Manager"."""

    __tablename__ = "account_roles"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))


class AccountRoleAssignment(Base):
    """Who holds a role on an account: at most one user per role and account."""

    __tablename__ = "account_role_assignments"

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    role_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("account_roles.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
