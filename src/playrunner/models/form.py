from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from playrunner.clock import utcnow
from playrunner.models.base import Base, UUIDPrimaryKey, enum_column


class FieldType(enum.StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    LIST = "list"
    MULTI_SELECT = "multi_select"
    BOOLEAN = "boolean"


class Form(UUIDPrimaryKey, Base):
    """A set of account attributes that someone is asked to fill in."""

    __tablename__ = "forms"
    __table_args__ = (UniqueConstraint("tenant_id", "name"), UniqueConstraint("tenant_id", "key"))

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    # A stable name for forms declared as code (`playrunner apply`); optional otherwise.
    key: Mapped[str | None] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    fields: Mapped[list[FormField]] = relationship(
        order_by="FormField.position", lazy="raise", cascade="all, delete-orphan"
    )


class FormField(UUIDPrimaryKey, Base):
    """One question of a form, bound to the account attribute its answer updates."""

    __tablename__ = "form_fields"
    __table_args__ = (UniqueConstraint("form_id", "attribute"),)

    form_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"))
    position: Mapped[int]
    attribute: Mapped[str] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(200))
    type: Mapped[FieldType] = mapped_column(enum_column(FieldType))
    options: Mapped[list[Any]] = mapped_column(default=list)
    required: Mapped[bool] = mapped_column(default=False)
