"""keys for plays and forms, soft-deleted plays

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("forms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key", sa.String(length=100), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_forms_tenant_id_key"), ["tenant_id", "key"]
        )

    with op.batch_alter_table("success_plays", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_success_plays_tenant_id_key"), ["tenant_id", "key"]
        )


def downgrade() -> None:
    with op.batch_alter_table("success_plays", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_success_plays_tenant_id_key"), type_="unique")
        batch_op.drop_column("deleted_at")
        batch_op.drop_column("key")

    with op.batch_alter_table("forms", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_forms_tenant_id_key"), type_="unique")
        batch_op.drop_column("key")
