"""run announcements without the due index

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30

Announcements live seconds (deleted once expanded): the sweep scans the few pending, and
the trigger path no longer writes an index page for each.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("run_announcements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_run_announcements_due"))


def downgrade() -> None:
    with op.batch_alter_table("run_announcements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_run_announcements_due"), ["status", "next_attempt_at"], unique=False
        )
