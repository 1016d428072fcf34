from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from playrunner.clock import utcnow
from playrunner.models.base import Base, UUIDPrimaryKey, enum_column


class FormRequestStatus(enum.StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"
    CANCELLED = "cancelled"


# What "open" means for a form request, everywhere: not yet submitted or cancelled.
OPEN_FORM_REQUEST_STATUSES = (FormRequestStatus.OPEN,)


class FormRequest(UUIDPrimaryKey, Base):
    """A request that someone fill in a form; submitting it updates the account."""

    __tablename__ = "form_requests"
    __table_args__ = (
        # ... and by status, with the due date: how much of it is in each state, and late.
        Index(
            "ix_form_requests_work_counts", "tenant_id", "assignee_user_id", "status", "due_date"
        ),
        Index(
            "ix_form_requests_work",
            "tenant_id",
            "assignee_user_id",
            "due_date",
            "created_at",
            "id",
            "status",
        ),
        Index("ix_form_requests_play_status", "play_id", "status"),
    )

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    form_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"))
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    run_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("runs.id", ondelete="SET NULL"), index=True
    )
    play_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("success_plays.id", ondelete="SET NULL")
    )
    assignee_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    assignee_fallback: Mapped[str | None] = mapped_column(Text)
    due_date: Mapped[date | None]
    instructions: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[FormRequestStatus] = mapped_column(
        enum_column(FormRequestStatus), default=FormRequestStatus.OPEN
    )
    answers: Mapped[dict[str, Any] | None]
    submitted_at: Mapped[datetime | None]
    submitted_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
