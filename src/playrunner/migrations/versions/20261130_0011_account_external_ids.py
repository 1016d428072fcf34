"""account external ids

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30

An account's ids in other systems (its Salesforce Account Id, ...), so that a button in
Salesforce can name the account by Salesforce's id.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account_external_ids",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("system", sa.String(length=32), nullable=False),
        sa.Column("tenant_id", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_external_ids_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_account_external_ids_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "system", name=op.f("pk_account_external_ids")),
        sa.UniqueConstraint(
            "tenant_id",
            "external_id",
            name=op.f("uq_account_external_ids_tenant_id_external_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("account_external_ids")
