"""event criteria and inbound events

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30

Event plays' criteria (on the play), whether each account is inside them, the checks to
make after attributes change, the daily check of date conditions; inbound event sources,
their rules, and the events received; runs may now come from an event play.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "criteria_daily_checks",
        sa.Column("tenant_id", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("accounts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_criteria_daily_checks_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "day", name=op.f("pk_criteria_daily_checks")),
    )
    op.create_table(
        "criteria_checks",
        sa.Column("tenant_id", sa.String(length=16), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column(
            "changes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "attributes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "failed",
                name="criteriacheckstatus",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_criteria_checks_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["users.id"],
            name=op.f("fk_criteria_checks_actor_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_criteria_checks_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criteria_checks")),
    )
    with op.batch_alter_table("criteria_checks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_criteria_checks_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index("ix_criteria_checks_due", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "criteria_states",
        sa.Column("play_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.String(length=16), nullable=False),
        sa.Column("inside", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_criteria_states_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["play_id"],
            ["success_plays.id"],
            name=op.f("fk_criteria_states_play_id_success_plays"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_criteria_states_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("play_id", "account_id", name=op.f("pk_criteria_states")),
    )
    with op.batch_alter_table("criteria_states", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_criteria_states_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "event_sources",
        sa.Column("tenant_id", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("secret_salt", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_event_sources_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_event_sources_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_sources")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_event_sources_tenant_id_name")),
    )
    op.create_table(
        "event_rules",
        sa.Column("tenant_id", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "match",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("account_path", sa.String(length=500), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "set_attributes",
                "run_play",
                name="ruleaction",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "attributes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("play_id", sa.Uuid(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["play_id"],
            ["success_plays.id"],
            name=op.f("fk_event_rules_play_id_success_plays"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["event_sources.id"],
            name=op.f("fk_event_rules_source_id_event_sources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_event_rules_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_rules")),
    )
    with op.batch_alter_table("event_rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_rules_source_id"), ["source_id"], unique=False)

    op.create_table(
        "inbound_events",
        sa.Column("tenant_id", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "processed",
                "ignored",
                "failed",
                name="inboundeventstatus",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("outcome", sa.String(length=1000), nullable=True),
        sa.Column("rule_id", sa.Uuid(), nullable=True),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("run_id", sa.Uuid(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_inbound_events_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["event_rules.id"],
            name=op.f("fk_inbound_events_rule_id_event_rules"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_inbound_events_run_id_runs"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["event_sources.id"],
            name=op.f("fk_inbound_events_source_id_event_sources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_inbound_events_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_events")),
        sa.UniqueConstraint(
            "source_id", "event_id", name=op.f("uq_inbound_events_source_id_event_id")
        ),
    )
    with op.batch_alter_table("inbound_events", schema=None) as batch_op:
        batch_op.create_index("ix_inbound_events_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(
            "ix_inbound_events_source_created", ["source_id", "created_at"], unique=False
        )

    # A run's source may now be an event play: the column widens and its CHECK takes the value.
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_runs_runsource"), type_="check")
        batch_op.alter_column(
            "source", existing_type=sa.String(3), type_=sa.String(5), existing_nullable=False
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_runs_runsource"), "source IN ('api', 'cli', 'web', 'event')"
        )

    with op.batch_alter_table("success_plays", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "event_criteria",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("success_plays", schema=None) as batch_op:
        batch_op.drop_column("event_criteria")

    op.execute("DELETE FROM runs WHERE source = 'event'")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_runs_runsource"), type_="check")
        batch_op.alter_column(
            "source", existing_type=sa.String(5), type_=sa.String(3), existing_nullable=False
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_runs_runsource"), "source IN ('api', 'cli', 'web')"
        )

    with op.batch_alter_table("inbound_events", schema=None) as batch_op:
        batch_op.drop_index("ix_inbound_events_source_created")
        batch_op.drop_index("ix_inbound_events_due")

    op.drop_table("inbound_events")
    with op.batch_alter_table("event_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_rules_source_id"))

    op.drop_table("event_rules")
    op.drop_table("event_sources")
    with op.batch_alter_table("criteria_states", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_criteria_states_account_id"))

    op.drop_table("criteria_states")
    with op.batch_alter_table("criteria_checks", schema=None) as batch_op:
        batch_op.drop_index("ix_criteria_checks_due")
        batch_op.drop_index(batch_op.f("ix_criteria_checks_account_id"))

    op.drop_table("criteria_checks")
    op.drop_table("criteria_daily_checks")
