"""idempotent answers kept as the bytes sent

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29

A replay must be byte-identical to the first answer. PostgreSQL's JSONB reorders an object's
keys, so the answer is kept as the JSON text that was sent.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.alter_column(
            "response",
            existing_type=sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            type_=sa.Text(),
            postgresql_using="response::text",
        )


def downgrade() -> None:
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.alter_column(
            "response",
            existing_type=sa.Text(),
            type_=sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            postgresql_using="response::jsonb",
        )
