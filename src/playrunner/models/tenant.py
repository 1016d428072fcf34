from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, false
from sqlalchemy.orm import Mapped, mapped_column

from playrunner.clock import utcnow
from playrunner.models.base import Base


class Tenant(Base):
    """A Totango "service": the unit of isolation. Its id looks like ``SP-1234-01``."""

    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # An admin's choice: everyone gets emails about work assigned to them, whatever their own
    # setting says (as Totango's "force notifications").
    force_email_notifications: Mapped[bool] = mapped_column(default=False, server_default=false())
