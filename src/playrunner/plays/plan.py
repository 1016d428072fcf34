"""A play as the engine runs it: plain frozen data, read in one query.

Saving and editing plays uses the ORM models; running one only needs these few fields, and
reading them as rows rather than ORM objects is several times cheaper on the hottest path.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from playrunner.models import ActionType, AssigneeKind, DuplicatePolicy


@dataclass(frozen=True, slots=True)
class ActionPlan:
    position: int
    type: ActionType
    assignee_kind: AssigneeKind
    assignee_role_id: uuid.UUID | None
    assignee_role_name: str | None
    assignee_user_id: uuid.UUID | None
    due_in_days: int
    title_template: str | None
    description_template: str | None
    flow_id: uuid.UUID | None
    priority: int | None
    touchpoint_required: bool
    form_id: uuid.UUID | None
    instructions: str | None
    flow_key: str | None  # as tasks show their flow


@dataclass(frozen=True, slots=True)
class PlayPlan:
    id: uuid.UUID
    tenant_id: str
    name: str
    active: bool
    manual_trigger: bool
    apply_to_parent: bool
    duplicate_policy: DuplicatePolicy
    actions: tuple[ActionPlan, ...]
