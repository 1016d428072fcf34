from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from playrunner.clock import utcnow
from playrunner.models.base import Base, UUIDPrimaryKey, enum_column


class ImportStatus(enum.StrEnum):
    RUNNING = "running"
    DONE = "done"


class AccountImport(UUIDPrimaryKey, Base):
    """A CSV file of accounts imported from the web app, row chunk by row chunk: how far it
    got, and each rejected row with its line and reason."""

    __tablename__ = "account_imports"

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    status: Mapped[ImportStatus] = mapped_column(enum_column(ImportStatus))
    total: Mapped[int]
    processed: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    # [line, account id, reason] for each refused row (the first thousand).
    rejected: Mapped[list[Any]] = mapped_column(default=list)
    rejected_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
