from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from playrunner.clock import utcnow
from playrunner.enums import TaskStatus
from playrunner.models.base import Base, UUIDPrimaryKey, enum_column

# What "open" means for a task, everywhere: not yet completed or cancelled (Totango's legacy
# field calls these two "open" and the others "closed").
OPEN_TASK_STATUSES = (TaskStatus.NOT_STARTED, TaskStatus.STARTED)
CLOSED_TASK_STATUSES = (TaskStatus.COMPLETED, TaskStatus.CANCELLED)


class Task(UUIDPrimaryKey, Base):
    __tablename__ = "tasks"
    __table_args__ = (
        # Someone's work in My work's order (due date, creation), with its status: counted
        # and paged from the index alone.
        # ... and by status, with the due date: how much of it is in each state, and late.
        Index("ix_tasks_work_counts", "tenant_id", "assignee_user_id", "status", "due_date"),
        Index(
            "ix_tasks_work",
            "tenant_id",
            "assignee_user_id",
            "due_date",
            "created_at",
            "id",
            "status",
        ),
        Index("ix_tasks_tenant_account", "tenant_id", "account_id"),
        Index("ix_tasks_play_status", "play_id", "status"),
    )

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    run_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("runs.id", ondelete="SET NULL"), index=True
    )
    play_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("success_plays.id", ondelete="SET NULL")
    )
    flow_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("flows.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    priority: Mapped[int]
    due_date: Mapped[date | None]
    status: Mapped[TaskStatus] = mapped_column(
        enum_column(TaskStatus), default=TaskStatus.NOT_STARTED
    )
    assignee_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # Why the play's assignee rule was not followed (e.g. the role is vacant), if it was not.
    assignee_fallback: Mapped[str | None] = mapped_column(Text)
    touchpoint_required: Mapped[bool] = mapped_column(default=False)
    touchpoint_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None]
