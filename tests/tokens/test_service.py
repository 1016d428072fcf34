"""Personal access tokens: their shape, what is stored, expiry choices and revocation."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from playrunner.db import Database
from playrunner.errors import AuthenticationFailed, InvalidRequest, NotFound
from playrunner.models import AccessToken
from playrunner.tokens import secrets
from playrunner.tokens import service as tokens_service
from tests.factories import Factory


def test_secrets_have_a_scannable_prefix_enough_entropy_and_a_checksum() -> None:
    issued = {secrets.generate_secret() for _ in range(200)}
    assert len(issued) == 200
    for secret in issued:
        assert re.fullmatch(r"prpat_[0-9A-Za-z]{38}", secret)
        assert secrets.is_well_formed(secret)
    # 32 characters drawn from all 62 symbols: about 190 bits, well over 128.
    random_parts = [secret[6:38] for secret in issued]
    assert len(set("".join(random_parts))) == 62
    one = next(iter(issued))
    assert not secrets.is_well_formed(one[:-1] + ("x" if one[-1] != "x" else "y"))


def test_only_a_hash_of_the_secret_is_stored(factory: Factory, database: Database) -> None:
    tenant = factory.tenant()
    secret = factory.token(factory.admin(tenant))
    with database.session() as session:
        stored = session.scalars(select(AccessToken)).one()
    assert stored.secret_hash == secrets.hash_secret(secret)
    assert secret not in (stored.secret_hash, stored.hint, stored.name)
    assert stored.hint == f"prpat_…{secret[-4:]}"


@pytest.mark.parametrize(("choice", "days"), [("7d", 7), ("30d", 30), ("60d", 60), ("90d", 90)])
def test_expiry_choices(choice: str, days: int) -> None:
    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    assert tokens_service.parse_expiry(choice, now) == now + timedelta(days=days)


def test_never_and_custom_date_expiries() -> None:
    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    assert tokens_service.parse_expiry("never", now) is None
    assert tokens_service.parse_expiry("2026-12-31", now) == datetime(2027, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("3d", "is not one of 7d, 30d, 60d, 90d, never or a date"),
        ("tomorrow", "is not one of"),
        ("2020-01-01", "is in the past"),
    ],
)
def test_bad_expiries_are_refused(value: str, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        tokens_service.parse_expiry(value, datetime(2026, 11, 26, tzinfo=UTC))


def test_revoke_is_scoped_to_the_owner(factory: Factory, database: Database) -> None:
    tenant = factory.tenant()
    alice, bob = factory.admin(tenant), factory.admin(tenant)
    factory.token(alice)
    with database.session() as session:
        (token,) = tokens_service.list_tokens(session, factory.principal(alice))
        with pytest.raises(NotFound):
            tokens_service.revoke_token(session, factory.principal(bob), token.id)
    with database.session() as session:
        revoked = tokens_service.revoke_token(session, factory.principal(alice), token.id)
        assert revoked.revoked_at is not None


def test_authenticate_returns_the_tokens_user(factory: Factory, database: Database) -> None:
    tenant = factory.tenant()
    admin = factory.admin(tenant)
    secret = factory.token(admin)
    with database.session(read_only=True) as session:
        principal = tokens_service.authenticate(session, secret)
        assert (principal.tenant_id, principal.user_id, principal.is_admin) == (
            tenant.id,
            admin.id,
            True,
        )
        with pytest.raises(AuthenticationFailed, match="Invalid token"):
            tokens_service.authenticate(session, "not-a-token")


def test_token_names_must_not_be_empty(factory: Factory, database: Database) -> None:
    admin = factory.admin(factory.tenant())
    with database.session() as session, pytest.raises(InvalidRequest, match="name"):
        tokens_service.create_token(session, factory.principal(admin), "  ")
