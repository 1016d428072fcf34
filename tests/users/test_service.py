"""The rule that a service always keeps an active admin."""

from __future__ import annotations

import pytest

from playrunner.db import Database
from playrunner.errors import Conflict
from playrunner.models import UserRole
from playrunner.users import service as users_service
from playrunner.users.schemas import UserPatch
from tests.factories import Factory


def test_another_services_admin_does_not_count(factory: Factory, database: Database) -> None:
    tenant, other = factory.tenant(), factory.tenant()
    admin = factory.admin(tenant)
    factory.admin(other)
    with database.session() as session, pytest.raises(Conflict, match="last active"):
        users_service.update_user(session, tenant.id, admin.email, UserPatch(active=False))


def test_demoting_one_of_two_admins_is_fine_the_second_is_not(
    factory: Factory, database: Database
) -> None:
    tenant = factory.tenant()
    first, second = factory.admin(tenant), factory.admin(tenant)
    with database.session() as session:
        users_service.update_user(session, tenant.id, first.email, UserPatch(role=UserRole.USER))
    with database.session() as session, pytest.raises(Conflict, match="last active"):
        users_service.update_user(session, tenant.id, second.email, UserPatch(role=UserRole.USER))


def test_regular_users_can_always_be_deactivated(factory: Factory, database: Database) -> None:
    tenant = factory.tenant()
    factory.admin(tenant)
    user = factory.user(tenant)
    with database.session() as session:
        changed = users_service.update_user(session, tenant.id, user.email, UserPatch(active=False))
        assert changed.active is False


def test_an_inactive_admin_may_be_demoted_and_reactivated_as_a_user(
    factory: Factory, database: Database
) -> None:
    tenant = factory.tenant()
    factory.admin(tenant)
    dormant = factory.admin(tenant)
    with database.session() as session:
        users_service.update_user(session, tenant.id, dormant.email, UserPatch(active=False))
    with database.session() as session:
        changed = users_service.update_user(
            session, tenant.id, dormant.email, UserPatch(role=UserRole.USER, active=True)
        )
        assert (changed.role, changed.active) == (UserRole.USER, True)
