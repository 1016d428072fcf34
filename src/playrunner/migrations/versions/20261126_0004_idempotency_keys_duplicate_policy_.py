"""idempotency keys, duplicate policy, skipped runs

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("tenant_id", sa.String(length=16), nullable=False),
        sa.Column("caller", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column(
            "response",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_idempotency_keys_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("caller", "key", name=op.f("uq_idempotency_keys_caller_key")),
    )
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_keys_expires_at"), ["expires_at"], unique=False
        )

    with op.batch_alter_table("form_requests", schema=None) as batch_op:
        batch_op.create_index("ix_form_requests_play_status", ["play_id", "status"], unique=False)

    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status",
                sa.Enum(
                    "completed",
                    "skipped",
                    name="runstatus",
                    native_enum=False,
                    create_constraint=True,
                ),
                server_default="completed",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("skipped_for_run_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_runs_skipped_for_run_id_runs"),
            "runs",
            ["skipped_for_run_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("success_plays", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "duplicate_policy",
                sa.Enum(
                    "allow",
                    "skip_if_open",
                    name="duplicatepolicy",
                    native_enum=False,
                    create_constraint=True,
                ),
                server_default="allow",
                nullable=False,
            )
        )

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index("ix_tasks_play_status", ["play_id", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_play_status")

    with op.batch_alter_table("success_plays", schema=None) as batch_op:
        # The enum's CHECK constraint names the column; it goes first.
        batch_op.drop_constraint(batch_op.f("ck_success_plays_duplicatepolicy"), type_="check")
        batch_op.drop_column("duplicate_policy")

    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_runs_skipped_for_run_id_runs"), type_="foreignkey")
        batch_op.drop_column("skipped_for_run_id")
        batch_op.drop_constraint(batch_op.f("ck_runs_runstatus"), type_="check")
        batch_op.drop_column("status")

    with op.batch_alter_table("form_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_form_requests_play_status")

    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_keys_expires_at"))

    op.drop_table("idempotency_keys")
