"""What live plays still use: the question deleting a flow, a form or an account role asks
first. (Apart from ``plays.service`` so the features below plays may ask it: plays use them.)"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from playrunner.models import PlayAction
from playrunner.plays import repository


def plays_using_flow(session: Session, flow_pk: uuid.UUID) -> list[str]:
    """Names of the live plays that create tasks in this flow."""
    return repository.live_names_using(session, PlayAction.flow_id, flow_pk)


def plays_using_form(session: Session, form_pk: uuid.UUID) -> list[str]:
    """Names of the live plays that request this form."""
    return repository.live_names_using(session, PlayAction.form_id, form_pk)


def plays_using_role(session: Session, role_pk: uuid.UUID) -> list[str]:
    """Names of the live plays that assign work by this account role."""
    return repository.live_names_using(session, PlayAction.assignee_role_id, role_pk)


def release_flow(session: Session, flow_pk: uuid.UUID) -> None:
    """Before the flow goes: deleted plays' actions stop naming it."""
    repository.release_from_deleted(session, PlayAction.flow_id, flow_pk)


def release_form(session: Session, form_pk: uuid.UUID) -> None:
    repository.release_from_deleted(session, PlayAction.form_id, form_pk)


def release_role(session: Session, role_pk: uuid.UUID) -> None:
    repository.release_from_deleted(session, PlayAction.assignee_role_id, role_pk)
