from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from playrunner.clock import utcnow
from playrunner.enums import UserRole
from playrunner.models.base import Base, UUIDPrimaryKey, enum_column


class User(UUIDPrimaryKey, Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("tenant_id", "email"),)

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[UserRole] = mapped_column(enum_column(UserRole))
    active: Mapped[bool] = mapped_column(default=True)
    # argon2id, for the OAuth login page; None until `playrunner users set-password`.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Emails about work assigned to them (unless the service forces them on).
    email_notifications: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"User({self.email!r}, {self.role.value})"
