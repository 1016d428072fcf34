"""run fallbacks, unbounded fallback text

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("form_requests", schema=None) as batch_op:
        batch_op.alter_column(
            "assignee_fallback",
            existing_type=sa.VARCHAR(length=300),
            type_=sa.Text(),
            existing_nullable=True,
        )

    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "fallbacks",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=False,
                server_default="[]",  # runs made before this revision had none recorded
            )
        )

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.alter_column(
            "assignee_fallback",
            existing_type=sa.VARCHAR(length=300),
            type_=sa.Text(),
            existing_nullable=True,
        )


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.alter_column(
            "assignee_fallback",
            existing_type=sa.Text(),
            type_=sa.VARCHAR(length=300),
            existing_nullable=True,
        )

    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_column("fallbacks")

    with op.batch_alter_table("form_requests", schema=None) as batch_op:
        batch_op.alter_column(
            "assignee_fallback",
            existing_type=sa.Text(),
            type_=sa.VARCHAR(length=300),
            existing_nullable=True,
        )
