"""Token checks over real HTTP: each change to a token or its user applies to the next call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import time_machine

from playrunner.db import Database
from playrunner.models import UserRole
from playrunner.tokens import service as tokens_service
from playrunner.tokens.secrets import generate_secret
from playrunner.users import service as users_service
from tests.factories import Factory
from tests.worlds import ServiceWorld, body, trigger


def test_expired_token_gets_401(http: httpx.Client, factory: Factory) -> None:
    world = ServiceWorld(factory)
    short = factory.token(world.admin, expires="7d")
    assert trigger(http, short, body(world.play, "acme")).status_code == 200

    with time_machine.travel(datetime.now(UTC) + timedelta(days=7, seconds=1), tick=False):
        response = trigger(http, short, body(world.play, "acme"))

    assert (response.status_code, response.text) == (401, "Token has expired")


def test_token_with_custom_date_works_through_that_day(
    http: httpx.Client, factory: Factory
) -> None:
    world = ServiceWorld(factory)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
    token = factory.token(world.admin, expires=tomorrow.isoformat())
    end_of_tomorrow = datetime.combine(tomorrow, datetime.max.time(), tzinfo=UTC)

    with time_machine.travel(end_of_tomorrow - timedelta(seconds=5), tick=False):
        assert trigger(http, token, body(world.play, "acme")).status_code == 200
    with time_machine.travel(end_of_tomorrow + timedelta(seconds=1), tick=False):
        assert trigger(http, token, body(world.play, "acme")).status_code == 401


def test_revoked_token_gets_401_at_once(
    http: httpx.Client, factory: Factory, database: Database
) -> None:
    world = ServiceWorld(factory)
    assert trigger(http, world.admin_token, body(world.play, "acme")).status_code == 200
    with database.session() as session:
        owner = users_service.principal_for(world.admin)
        (token,) = tokens_service.list_tokens(session, owner)
        tokens_service.revoke_token(session, owner, token.id)

    response = trigger(http, world.admin_token, body(world.play, "acme"))

    assert (response.status_code, response.text) == (401, "Token has been revoked")


def test_deactivated_users_tokens_stop_at_once_and_return_on_reactivation(
    http: httpx.Client, factory: Factory, database: Database
) -> None:
    world = ServiceWorld(factory)
    factory.admin(world.tenant)  # the service keeps an admin meanwhile
    with database.session() as session:
        users_service.set_active(session, world.tenant.id, world.admin.email, False)

    response = trigger(http, world.admin_token, body(world.play, "acme"))
    assert (response.status_code, response.text) == (401, "User is deactivated")

    with database.session() as session:
        users_service.set_active(session, world.tenant.id, world.admin.email, True)
    assert trigger(http, world.admin_token, body(world.play, "acme")).status_code == 200


def test_demoted_admin_gets_403_at_once(
    http: httpx.Client, factory: Factory, database: Database
) -> None:
    world = ServiceWorld(factory)
    factory.admin(world.tenant)  # the service keeps an admin meanwhile
    assert trigger(http, world.admin_token, body(world.play, "acme")).status_code == 200
    with database.session() as session:
        users_service.set_role(session, world.tenant.id, world.admin.email, UserRole.USER)

    response = trigger(http, world.admin_token, body(world.play, "acme"))

    assert response.status_code == 403
    assert response.text == "User is not authorized with role: SERVICE_ADMIN"


def test_a_well_formed_token_that_was_never_issued_gets_401(
    http: httpx.Client, factory: Factory
) -> None:
    world = ServiceWorld(factory)
    response = trigger(http, generate_secret(), body(world.play, "acme"))
    assert (response.status_code, response.text) == (401, "Invalid token")


def test_a_mistyped_token_gets_401(http: httpx.Client, factory: Factory) -> None:
    world = ServiceWorld(factory)
    real = world.admin_token
    mistyped = real[:10] + ("A" if real[10] != "A" else "B") + real[11:]
    response = trigger(http, mistyped, body(world.play, "acme"))
    assert (response.status_code, response.text) == (401, "Invalid token")
