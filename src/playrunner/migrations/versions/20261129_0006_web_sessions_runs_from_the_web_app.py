"""web sessions; runs from the web app

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("tenant_id", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_web_sessions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_web_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_web_sessions_secret_hash")),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_sessions_user_id"), ["user_id"], unique=False)

    # A run's source may now be the web app: the enum's CHECK constraint takes the new value;
    # an account's runs are found by either account, each through an index.
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_runs_runsource"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_runs_runsource"), "source IN ('api', 'cli', 'web')"
        )
        batch_op.create_index(
            batch_op.f("ix_runs_requested_account_id"), ["requested_account_id"], unique=False
        )

    # My work pages someone's work in its order, and counts it by status, from indexes alone.
    work_columns = ["tenant_id", "assignee_user_id", "due_date", "created_at", "id", "status"]
    count_columns = ["tenant_id", "assignee_user_id", "status", "due_date"]
    for table in ("tasks", "form_requests"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_tenant_assignee_status")
            batch_op.create_index(f"ix_{table}_work", work_columns, unique=False)
            batch_op.create_index(f"ix_{table}_work_counts", count_columns, unique=False)


def downgrade() -> None:
    old_columns = ["tenant_id", "assignee_user_id", "status"]
    for table in ("form_requests", "tasks"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_work_counts")
            batch_op.drop_index(f"ix_{table}_work")
            batch_op.create_index(f"ix_{table}_tenant_assignee_status", old_columns, unique=False)

    op.execute("DELETE FROM runs WHERE source = 'web'")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_runs_requested_account_id"))
        batch_op.drop_constraint(batch_op.f("ck_runs_runsource"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_runs_runsource"), "source IN ('api', 'cli')"
        )

    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sessions_user_id"))

    op.drop_table("web_sessions")
