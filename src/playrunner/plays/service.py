"""SuccessPlays: saving them (with every reference and template checked) and finding them."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from playrunner.accounts import repository as accounts_repository
from playrunner.errors import InvalidRequest, NotFound
from playrunner.flows import repository as flows_repository
from playrunner.forms import repository as forms_repository
from playrunner.models import ActionType, AssigneeKind, PlayAction, SuccessPlay
from playrunner.plays import repository
from playrunner.plays.schemas import (
    Action,
    Assignee,
    CreateTaskAction,
    PlaySpec,
    RoleAssignee,
    UserAssignee,
)
from playrunner.plays.templates import check_template
from playrunner.users import repository as users_repository
from playrunner.users.service import normalise_email


def parse_play_id(value: str) -> uuid.UUID | None:
    """A play id as given by a caller, or None when it cannot be one."""
    try:
        return uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return None


def create_play(
    session: Session, tenant_id: str, spec: PlaySpec, play_id: uuid.UUID | None = None
) -> SuccessPlay:
    """Save a play after checking every flow, form, role, user and template it names."""
    actions = [
        _build_action(session, tenant_id, action, position)
        for position, action in enumerate(spec.actions)
    ]
    play = SuccessPlay(
        id=play_id or uuid.uuid4(),
        tenant_id=tenant_id,
        name=spec.name,
        description=spec.description,
        objective=spec.objective,
        manual_trigger=spec.manual,
        event_trigger="event" in spec.triggers,
        active=spec.active,
        apply_to_parent=spec.apply_to_parent,
        actions=actions,
    )
    return repository.add(session, play)


def _build_action(session: Session, tenant_id: str, action: Action, position: int) -> PlayAction:
    where = f"actions[{position}]"
    row = PlayAction(position=position, due_in_days=action.due_in_days)
    _set_assignee(session, tenant_id, row, action.assignee, f"{where}.assignee")
    if isinstance(action, CreateTaskAction):
        check_template(action.title, f"{where}.title")
        check_template(action.description, f"{where}.description")
        row.type = ActionType.CREATE_TASK
        row.title_template = action.title
        row.description_template = action.description
        row.priority = action.priority
        row.touchpoint_required = action.touchpoint_required
        if action.flow is not None:
            flow = flows_repository.get_by_key(session, tenant_id, action.flow)
            if flow is None:
                raise InvalidRequest(
                    f"{where}.flow: flow {action.flow!r} does not exist", field=f"{where}.flow"
                )
            row.flow_id = flow.id
    else:
        form = forms_repository.get_by_name(session, tenant_id, action.form)
        if form is None:
            raise InvalidRequest(
                f"{where}.form: form {action.form!r} does not exist", field=f"{where}.form"
            )
        check_template(action.instructions, f"{where}.instructions")
        row.type = ActionType.REQUEST_INFORMATION
        row.form_id = form.id
        row.instructions = action.instructions
    return row


def _set_assignee(
    session: Session, tenant_id: str, row: PlayAction, assignee: Assignee, where: str
) -> None:
    if isinstance(assignee, RoleAssignee):
        role = accounts_repository.get_role_by_name(session, tenant_id, assignee.role)
        if role is None:
            raise InvalidRequest(
                f"{where}: account role {assignee.role!r} does not exist", field=where
            )
        row.assignee_kind = AssigneeKind.ACCOUNT_ROLE
        row.assignee_role_id = role.id
    elif isinstance(assignee, UserAssignee):
        user = users_repository.get_by_email(session, tenant_id, normalise_email(assignee.email))
        if user is None:
            raise InvalidRequest(f"{where}: user {assignee.email!r} does not exist", field=where)
        row.assignee_kind = AssigneeKind.USER
        row.assignee_user_id = user.id
    else:
        row.assignee_kind = AssigneeKind.RUNNER


def get_play(session: Session, tenant_id: str, play_id: uuid.UUID) -> SuccessPlay:
    play = repository.get_with_actions(session, tenant_id, play_id)
    if play is None:
        raise NotFound(f"SuccessPlay {play_id} not found", field="play_id")
    return play


def list_plays(session: Session, tenant_id: str) -> list[SuccessPlay]:
    return repository.list_all(session, tenant_id)


def set_active(session: Session, tenant_id: str, play_id: uuid.UUID, active: bool) -> SuccessPlay:
    """Disable or enable a play. Disabling leaves the tasks it already made open."""
    play = get_play(session, tenant_id, play_id)
    play.active = active
    session.flush()
    return play
