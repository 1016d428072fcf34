"""Whether form requests were made from a form: the question deleting a form asks. (Apart
from ``form_requests.service``, which uses forms, so forms may ask it.)"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from playrunner.form_requests import repository


def count_of_form(session: Session, form_pk: uuid.UUID) -> int:
    """Form requests made from this form, whatever their status."""
    return repository.count_of_form(session, form_pk)
