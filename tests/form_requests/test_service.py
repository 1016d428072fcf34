"""Submitting a form request writes the answers to the account in the same transaction."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import DBAPIError

from playrunner.accounts import service as accounts_service
from playrunner.auth.principal import operator
from playrunner.db import Database
from playrunner.errors import Conflict, InvalidRequest, NotFound, PermissionDenied
from playrunner.form_requests import service as form_requests_service
from playrunner.form_requests.repository import FormRequestFilter
from playrunner.models import FormRequestStatus, Tenant, User
from tests.factories import Factory, task_play
from tests.faults import database_refuses
from tests.worlds import run_play


class Setup:
    def __init__(self, factory: Factory, database: Database) -> None:
        self.tenant: Tenant = factory.tenant()
        self.admin: User = factory.admin(self.tenant)
        self.csm: User = factory.user(self.tenant)
        self.other: User = factory.user(self.tenant)
        factory.form(self.tenant)
        factory.account(
            self.tenant,
            "acme",
            success_manager=self.csm,
            attributes={"sentiment": "Green", "segment": "SMB"},
        )
        play = factory.play(
            self.tenant, task_play(actions=[{"type": "request_information", "form": "Sentiment"}])
        )
        self.request_id = run_play(database, self.admin, play.id, "acme").form_requests[0].id
        self.factory = factory
        self.database = database

    def submit(self, user: User, answers: Any) -> None:
        with self.database.session() as session:
            form_requests_service.submit(
                session, self.factory.principal(user), self.request_id, answers
            )

    def attributes(self) -> dict[str, Any]:
        with self.database.session(read_only=True) as session:
            return accounts_service.get_account(session, self.tenant.id, "acme").attributes


@pytest.fixture
def setup(factory: Factory, database: Database) -> Setup:
    return Setup(factory, database)


def test_submitting_updates_the_account_and_closes_the_request(setup: Setup) -> None:
    setup.submit(setup.csm, {"sentiment": "Red", "note": "Champion left", "score": 3})

    assert setup.attributes() == {
        "sentiment": "Red",
        "note": "Champion left",
        "score": 3,
        "segment": "SMB",
    }
    with setup.database.session(read_only=True) as session:
        (request,), _ = form_requests_service.page_form_requests(
            session, operator(setup.tenant.id), FormRequestFilter()
        )
    assert request.status is FormRequestStatus.SUBMITTED
    assert request.answers == {"sentiment": "Red", "note": "Champion left", "score": 3}
    assert request.submitted_at is not None


def test_bad_values_are_refused_and_change_nothing(setup: Setup) -> None:
    with pytest.raises(InvalidRequest, match="sentiment: must be one of"):
        setup.submit(setup.csm, {"sentiment": "Blue", "note": "x"})
    assert setup.attributes() == {"sentiment": "Green", "segment": "SMB"}


def test_a_second_submission_is_refused(setup: Setup) -> None:
    setup.submit(setup.csm, {"sentiment": "Yellow"})
    with pytest.raises(Conflict, match="already submitted"):
        setup.submit(setup.csm, {"sentiment": "Red"})
    assert setup.attributes()["sentiment"] == "Yellow"


def test_only_the_assignee_or_an_admin_may_submit(setup: Setup) -> None:
    with pytest.raises(PermissionDenied):
        setup.submit(setup.other, {"sentiment": "Red"})
    setup.submit(setup.admin, {"sentiment": "Red"})
    assert setup.attributes()["sentiment"] == "Red"


def test_a_failure_while_writing_leaves_the_request_open(setup: Setup) -> None:
    with (
        database_refuses(setup.database, "form_requests", "UPDATE"),
        pytest.raises(DBAPIError, match="disk says no"),
    ):
        setup.submit(setup.csm, {"sentiment": "Red"})
    # The account update came first in the transaction; it was rolled back with the rest.
    assert setup.attributes()["sentiment"] == "Green"


def test_cancel(setup: Setup) -> None:
    with setup.database.session() as session:
        form_requests_service.cancel(session, setup.factory.principal(setup.csm), setup.request_id)
    with pytest.raises(Conflict, match="already cancelled"):
        setup.submit(setup.csm, {"sentiment": "Red"})


def test_another_service_cannot_see_the_request(setup: Setup, factory: Factory) -> None:
    stranger = factory.admin(factory.tenant())
    with pytest.raises(NotFound):
        setup.submit(stranger, {"sentiment": "Red"})


@pytest.mark.postgresql_only  # SQLite has one writer: the other could not start meanwhile
def test_a_submission_racing_another_one_is_refused(setup: Setup) -> None:
    actor = setup.factory.principal(setup.csm)
    with setup.database.session() as session:
        # Read (and still held) before the other submission commits, as the API reads it.
        seen = form_requests_service.get_visible_form_request(session, actor, setup.request_id)
        setup.submit(setup.admin, {"sentiment": "Yellow"})
        with pytest.raises(Conflict, match="already submitted"):
            form_requests_service.submit(session, actor, setup.request_id, {"sentiment": "Red"})
        assert seen.status is FormRequestStatus.SUBMITTED
    assert setup.attributes()["sentiment"] == "Yellow"


def test_regular_users_do_not_see_others_requests(setup: Setup) -> None:
    with setup.database.session(read_only=True) as session:
        with pytest.raises(NotFound):
            form_requests_service.read_form_request(
                session, setup.factory.principal(setup.other), setup.request_id
            )
        read = form_requests_service.read_form_request(
            session, setup.factory.principal(setup.csm), setup.request_id
        )
    assert (read.form, read.account_id, read.status) == ("Sentiment", "acme", "open")
