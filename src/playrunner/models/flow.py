from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from playrunner.models.base import Base, UUIDPrimaryKey


class Flow(UUIDPrimaryKey, Base):
    """An activity type in Totango's words; ``key`` is its public id (``onboarding``)."""

    __tablename__ = "flows"
    __table_args__ = (UniqueConstraint("tenant_id", "key"),)

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
