from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from playrunner.clock import utcnow
from playrunner.models.base import Base, UUIDPrimaryKey, enum_column, nullable_json


class ActionType(enum.StrEnum):
    CREATE_TASK = "create_task"
    REQUEST_INFORMATION = "request_information"


class DuplicatePolicy(enum.StrEnum):
    ALLOW = "allow"  # every trigger runs (Totango's behaviour)
    SKIP_IF_OPEN = "skip_if_open"  # not while the account has open items of an earlier run


class AssigneeKind(enum.StrEnum):
    ACCOUNT_ROLE = "account_role"  # whoever holds this role on the target account
    USER = "user"  # one named user
    RUNNER = "runner"  # the user who ran the play


class SuccessPlay(UUIDPrimaryKey, Base):
    __tablename__ = "success_plays"
    __table_args__ = (
        CheckConstraint("manual_trigger OR event_trigger", name="has_trigger"),
        UniqueConstraint("tenant_id", "key"),
    )

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    # A stable name for plays declared as code (`playrunner apply`); optional otherwise.
    key: Mapped[str | None] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    objective: Mapped[str | None] = mapped_column(Text)
    manual_trigger: Mapped[bool]
    event_trigger: Mapped[bool]
    active: Mapped[bool] = mapped_column(default=True)
    apply_to_parent: Mapped[bool] = mapped_column(default=False)
    duplicate_policy: Mapped[DuplicatePolicy] = mapped_column(
        enum_column(DuplicatePolicy), default=DuplicatePolicy.ALLOW, server_default="allow"
    )
    # An event play's criteria (``criteria/schemas.py: EventCriteria``, as JSON): the play runs
    # on an account when it enters them, or exits, as they say.
    event_criteria: Mapped[dict[str, Any] | None] = mapped_column(nullable_json())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Deleted plays stay for the history of their runs, and are "not found" everywhere else.
    deleted_at: Mapped[datetime | None]

    actions: Mapped[list[PlayAction]] = relationship(
        order_by="PlayAction.position", lazy="raise", cascade="all, delete-orphan"
    )


class PlayAction(UUIDPrimaryKey, Base):
    """One step of a play, run in ``position`` order. Columns unused by a type stay NULL."""

    __tablename__ = "play_actions"
    __table_args__ = (UniqueConstraint("play_id", "position"),)

    play_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("success_plays.id", ondelete="CASCADE"))
    position: Mapped[int]
    type: Mapped[ActionType] = mapped_column(enum_column(ActionType))
    assignee_kind: Mapped[AssigneeKind] = mapped_column(enum_column(AssigneeKind))
    assignee_role_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("account_roles.id", ondelete="RESTRICT")
    )
    assignee_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT")
    )
    due_in_days: Mapped[int]
    # create_task
    title_template: Mapped[str | None] = mapped_column(Text)
    description_template: Mapped[str | None] = mapped_column(Text)
    flow_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("flows.id", ondelete="RESTRICT"))
    priority: Mapped[int | None]
    touchpoint_required: Mapped[bool] = mapped_column(default=False)
    # request_information
    form_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("forms.id", ondelete="RESTRICT"))
    instructions: Mapped[str | None] = mapped_column(Text)
