"""SuccessPlays: saving and replacing them (with every reference and template checked),
enabling, disabling and deleting them, and reading them back as they were written."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.orm import Session

from playrunner.accounts import service as accounts_service
from playrunner.auth.principal import Principal
from playrunner.clock import utcnow
from playrunner.criteria import baseline as criteria_baseline
from playrunner.errors import AccountNotFound, Conflict, InvalidRequest, NotFound
from playrunner.flows import service as flows_service
from playrunner.form_requests import service as form_requests_service
from playrunner.forms import service as forms_service
from playrunner.ids import as_uuid
from playrunner.models import ActionType, AssigneeKind, PlayAction, SuccessPlay
from playrunner.plays import plan_cache, repository
from playrunner.plays.plan import PlayPlan
from playrunner.plays.repository import ActionNames, PlayFilter
from playrunner.plays.schemas import (
    Action,
    Assignee,
    CreateTaskAction,
    PlayRead,
    PlaySpec,
    RoleAssignee,
    Trigger,
    UserAssignee,
    as_spec,
)
from playrunner.plays.templates import check_template, render, template_context
from playrunner.tasks import service as tasks_service
from playrunner.users import service as users_service
from playrunner.webhooks import service as webhooks_service


def create_play(
    session: Session,
    tenant_id: str,
    spec: PlaySpec,
    play_id: uuid.UUID | None = None,
    *,
    key: str | None = None,
) -> SuccessPlay:
    """Save a play after checking every flow, form, role, user and template it names, and
    that its key (if it has one) is free."""
    actions = _build_actions(session, tenant_id, spec)
    _check_key_free(session, tenant_id, key, play=None)
    now = utcnow()
    play = SuccessPlay(
        id=play_id or uuid.uuid4(),
        tenant_id=tenant_id,
        key=key,
        actions=actions,
        created_at=now,
        updated_at=now,
    )
    _set_fields(play, spec)
    added = repository.add(session, play)
    if play.event_criteria is not None:
        session.flush()
        criteria_baseline.start_from_now(session, tenant_id, play.id, play.event_criteria)
    return added


def replace_play(
    session: Session,
    tenant_id: str,
    play_id: uuid.UUID | str,
    spec: PlaySpec,
    *,
    key: str | None,
) -> SuccessPlay:
    """Replace a play's whole definition, checked as on creation. Saving what the play
    already is changes nothing, not even ``updated_at``."""
    play = get_play(session, tenant_id, play_id, for_update=True)
    actions = _build_actions(session, tenant_id, spec)
    _check_key_free(session, tenant_id, key, play=play)
    if key == play.key and as_spec(spec) == _read_spec(session, play):
        return play
    play.key = key
    criteria_before = play.event_criteria
    _set_fields(play, spec)
    # Set by hand: replacing only the actions does not update the play's own row.
    play.updated_at = utcnow()
    repository.replace_actions(session, play, actions)
    if play.event_criteria != criteria_before:
        session.flush()
        criteria_baseline.start_from_now(session, tenant_id, play.id, play.event_criteria)
    _announce_updated(session, play)
    return play


def _announce_updated(session: Session, play: SuccessPlay) -> None:
    """``play.updated`` for webhook endpoints that listen, with the play as the API shows it."""
    if webhooks_service.listening(session, play.tenant_id, ["play.updated"]):
        session.flush()
        read = read_plays(session, [play])[0]
        webhooks_service.publish(session, play.tenant_id, "play.updated", [read])


def _build_actions(session: Session, tenant_id: str, spec: PlaySpec) -> list[PlayAction]:
    return [
        _build_action(session, tenant_id, action, position)
        for position, action in enumerate(spec.actions)
    ]


def _check_key_free(
    session: Session, tenant_id: str, key: str | None, *, play: SuccessPlay | None
) -> None:
    if key is None:
        return
    holder = repository.get_by_key(session, tenant_id, key)
    if holder is not None and holder is not play:
        raise Conflict(f"A SuccessPlay with key {key!r} already exists", field="key")


def _set_fields(play: SuccessPlay, spec: PlaySpec) -> None:
    play.name = spec.name
    play.description = spec.description
    play.objective = spec.objective
    play.manual_trigger = spec.manual
    play.event_trigger = "event" in spec.triggers
    play.active = spec.active
    play.apply_to_parent = spec.apply_to_parent
    play.duplicate_policy = spec.duplicate_policy
    play.event_criteria = (
        spec.event_criteria.model_dump(mode="json") if spec.event_criteria is not None else None
    )


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
            flow = flows_service.find_flow(session, tenant_id, action.flow)
            if flow is None:
                raise InvalidRequest(
                    f"{where}.flow: flow {action.flow!r} does not exist", field=f"{where}.flow"
                )
            row.flow_id = flow.id
    else:
        form = forms_service.find_form_by_name(session, tenant_id, action.form)
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
        role = accounts_service.find_role(session, tenant_id, assignee.role)
        if role is None:
            raise InvalidRequest(
                f"{where}: account role {assignee.role!r} does not exist", field=where
            )
        row.assignee_kind = AssigneeKind.ACCOUNT_ROLE
        row.assignee_role_id = role.id
    elif isinstance(assignee, UserAssignee):
        # The schema has already normalised the email as users' emails are stored.
        user = users_service.find_by_email(session, tenant_id, assignee.email)
        if user is None:
            raise InvalidRequest(f"{where}: user {assignee.email!r} does not exist", field=where)
        row.assignee_kind = AssigneeKind.USER
        row.assignee_user_id = user.id
    else:
        row.assignee_kind = AssigneeKind.RUNNER


def get_play(
    session: Session, tenant_id: str, play_id: uuid.UUID | str, *, for_update: bool = False
) -> SuccessPlay:
    """The live play with this id (a UUID, or text that should be one) in this tenant."""
    parsed = as_uuid(play_id)
    play = (
        repository.get_with_actions(session, tenant_id, parsed, for_update=for_update)
        if parsed is not None
        else None
    )
    if play is None:
        raise NotFound(f"SuccessPlay {play_id} not found", field="play_id")
    return play


def load_plan(session: Session, tenant_id: str, play_id: uuid.UUID) -> PlayPlan | None:
    """The play as the engine runs it (with its actions, in one query), or None; kept by this
    process for up to a second (``plan_cache`` says how edits still apply at once)."""
    return plan_cache.plan(session, tenant_id, play_id, repository.load_plan)


@dataclass(frozen=True)
class PreviewedAction:
    """What one action of a play would say on an account: a task's title and description, or
    a form request's instructions; ``error`` when a template fails there."""

    position: int
    title: str | None = None
    description: str | None = None
    instructions: str | None = None
    error: str | None = None


def preview(
    session: Session,
    runner: Principal,
    spec: PlaySpec,
    account_id: str,
    play_id: uuid.UUID | None = None,
) -> list[PreviewedAction]:
    """Each action's templates rendered on ``account_id`` as a run by ``runner`` would render
    them (on the parent account when the play says so), before the play is saved."""
    account = accounts_service.find_snapshot(session, runner.tenant_id, account_id)
    if account is None:
        raise AccountNotFound()
    if spec.apply_to_parent and account.parent_id is not None:
        parents = accounts_service.snapshots_by_pk(session, runner.tenant_id, {account.parent_id})
        account = parents.get(account.parent_id, account)
    parent = (
        accounts_service.snapshots_by_pk(session, runner.tenant_id, {account.parent_id}).get(
            account.parent_id
        )
        if account.parent_id is not None
        else None
    )
    context = template_context(play_id or uuid.UUID(int=0), spec.name, account, runner, parent)
    previews = []
    for position, action in enumerate(spec.actions):
        where = f"actions[{position}]"
        try:
            if isinstance(action, CreateTaskAction):
                check_template(action.title, f"{where}.title")
                check_template(action.description, f"{where}.description")
                previews.append(
                    PreviewedAction(
                        position,
                        title=render(action.title, context, f"{where}.title", required=True),
                        description=render(action.description, context, f"{where}.description"),
                    )
                )
            else:
                check_template(action.instructions, f"{where}.instructions")
                text = render(action.instructions, context, f"{where}.instructions")
                previews.append(PreviewedAction(position, instructions=text))
        except InvalidRequest as failed:
            previews.append(PreviewedAction(position, error=failed.message))
    return previews


def names_by_id(session: Session, tenant_id: str, play_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The names of these plays, deleted ones too (history names them)."""
    return repository.names_by_id(session, tenant_id, play_ids)


def find_play_by_key(session: Session, tenant_id: str, key: str) -> SuccessPlay | None:
    return repository.get_by_key(session, tenant_id, key)


def id_of(session: Session, tenant_id: str, reference: str) -> uuid.UUID | None:
    """The play a person names where the CLI takes "a play": an id is taken as it is (whether
    such a play exists is for the caller's checks to say); anything else is a key (plays as
    code) and names the live play with that key. None when no play has that key. The HTTP API
    takes ids only."""
    parsed = as_uuid(reference)
    if parsed is not None:
        return parsed
    play = repository.get_by_key(session, tenant_id, reference)
    return play.id if play is not None else None


def page_plays(
    session: Session,
    tenant_id: str,
    *,
    trigger: Trigger | None = None,
    active: bool | None = None,
    limit: int,
    offset: int,
) -> tuple[list[PlayRead], int]:
    """A page of plays as they were written, ordered by name: those with this trigger, or
    this status (the API, the pages, the CLI and ``export``)."""
    plays, total = repository.find_page(
        session, tenant_id, PlayFilter(trigger=trigger, active=active), limit, offset
    )
    return read_plays(session, plays), total


def set_active(
    session: Session, tenant_id: str, play_id: uuid.UUID | str, active: bool
) -> SuccessPlay:
    """Disable or enable a play. Disabling leaves the tasks it already made open; a disabled
    play is "not found" to the trigger API, as Totango documents."""
    play = get_play(session, tenant_id, play_id, for_update=True)
    changed = play.active != active
    play.active = active
    session.flush()
    if changed:
        _announce_updated(session, play)
    return play


OpenItemsChoice = Literal["refuse", "cancel"]


def delete_play(
    session: Session, tenant_id: str, play_id: uuid.UUID | str, *, open_items: OpenItemsChoice
) -> None:
    """Delete a play. With open tasks or form requests, ``refuse`` keeps it and says so;
    ``cancel`` cancels them first. The play stays, hidden, for its runs' history; its key is
    freed for another play."""
    play = get_play(session, tenant_id, play_id, for_update=True)
    tasks = tasks_service.count_open_of_play(session, tenant_id, play.id)
    requests = form_requests_service.count_open_of_play(session, tenant_id, play.id)
    if tasks or requests:
        if open_items == "refuse":
            raise Conflict(
                f"SuccessPlay {play.name!r} has {_open_work(tasks, requests)}; delete it with"
                " open_tasks=cancel to cancel them, or complete or cancel them first",
                field="open_tasks",
            )
        tasks_service.cancel_open_of_play(session, tenant_id, play.id)
        form_requests_service.cancel_open_of_play(session, tenant_id, play.id)
    play.deleted_at = utcnow()
    play.key = None
    session.flush()


def _open_work(tasks: int, requests: int) -> str:
    parts = []
    if tasks:
        parts.append(f"{tasks} open task{'s' if tasks != 1 else ''}")
    if requests:
        parts.append(f"{requests} open form request{'s' if requests != 1 else ''}")
    return " and ".join(parts)


# Reading a play back as it was written ------------------------------------------------------


def read_plays(session: Session, plays: Sequence[SuccessPlay]) -> list[PlayRead]:
    """Plays as they were written, naming flows, forms, roles and users as ``PlaySpec``
    does; ``as_spec`` of one saves back to the same play. The plays' actions must be loaded
    (``get_play``, ``page_plays``); the names come in one query."""
    names = repository.action_names(session, [play.id for play in plays])
    return [
        PlayRead(
            id=play.id,
            key=play.key,
            created_at=play.created_at,
            updated_at=play.updated_at,
            **_definition(play, names),
        )
        for play in plays
    ]


def read_play(session: Session, tenant_id: str, play_id: uuid.UUID | str) -> PlayRead:
    return read_plays(session, [get_play(session, tenant_id, play_id)])[0]


def _read_spec(session: Session, play: SuccessPlay) -> PlaySpec:
    return PlaySpec.model_validate(_definition(play, repository.action_names(session, [play.id])))


def _definition(play: SuccessPlay, names: dict[uuid.UUID, ActionNames]) -> dict[str, Any]:
    return {
        "name": play.name,
        "description": play.description,
        "objective": play.objective,
        "triggers": [
            trigger
            for trigger, on in (("manual", play.manual_trigger), ("event", play.event_trigger))
            if on
        ],
        "active": play.active,
        "apply_to_parent": play.apply_to_parent,
        "duplicate_policy": play.duplicate_policy,
        "event_criteria": play.event_criteria,
        "actions": [_action_definition(action, names[action.id]) for action in play.actions],
    }


def _action_definition(action: PlayAction, names: ActionNames) -> dict[str, Any]:
    assignee: dict[str, Any] = {"kind": action.assignee_kind.value}
    if action.assignee_kind is AssigneeKind.ACCOUNT_ROLE:
        assignee["role"] = names.role
    elif action.assignee_kind is AssigneeKind.USER:
        assignee["email"] = names.email
    common = {"type": action.type.value, "due_in_days": action.due_in_days, "assignee": assignee}
    if action.type is ActionType.CREATE_TASK:
        return {
            **common,
            "title": action.title_template,
            "description": action.description_template,
            "flow": names.flow,
            "priority": action.priority,
            "touchpoint_required": action.touchpoint_required,
        }
    return {**common, "form": names.form, "instructions": action.instructions or ""}
