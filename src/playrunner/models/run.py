from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from playrunner.clock import utcnow
from playrunner.models.base import Base, UUIDPrimaryKey, enum_column


class RunSource(enum.StrEnum):
    API = "api"
    CLI = "cli"
    WEB = "web"  # a person, from an account page in the web app
    EVENT = "event"  # an event play, on an account entering or exiting its criteria


class RunStatus(enum.StrEnum):
    COMPLETED = "completed"  # the play ran and made its items
    SKIPPED = "skipped"  # the play's duplicate policy found open items of an earlier run


class Run(UUIDPrimaryKey, Base):
    """One accepted trigger of a play, written together with everything it created."""

    __tablename__ = "runs"
    __table_args__ = (
        Index("ix_runs_tenant_created", "tenant_id", "created_at"),
        Index("ix_runs_tenant_play", "tenant_id", "play_id"),
    )

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    play_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("success_plays.id", ondelete="CASCADE"))
    # The account named in the call, and the one the play acted on (its parent when the
    # play applies to the immediate parent).
    requested_account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("access_tokens.id", ondelete="SET NULL")
    )
    source: Mapped[RunSource] = mapped_column(enum_column(RunSource))
    status: Mapped[RunStatus] = mapped_column(
        enum_column(RunStatus), default=RunStatus.COMPLETED, server_default="completed"
    )
    # For a skipped run: the earlier run whose items are still open.
    skipped_for_run_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("runs.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Why an item of this run did not go where its rule said (e.g. a vacant Success Manager
    # role, so the runner got it): one line per such item.
    fallbacks: Mapped[list[Any]] = mapped_column(default=list)
