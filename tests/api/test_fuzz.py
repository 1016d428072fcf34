"""The API fuzzed against its own OpenAPI document (schemathesis), over real HTTP, on SQLite
and PostgreSQL, as an admin and as a regular user: no 5xx, no answer that breaks its declared
schema, status, content type or headers, schema-valid input refused only with a documented
4xx, schema-invalid input refused with a 4xx, an undeclared method answered 405 with Allow.

Bounded: a fixed number of generated requests per operation (the coverage phase's boundary
cases, the schema's examples and ``FUZZ_EXAMPLES`` random ones), one test per operation, caller
and database (about two minutes in all, on one pytest-xdist worker).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from playrunner.app import create_app
from playrunner.config import Settings
from playrunner.db import Database
from playrunner.models import UserRole
from tests.factories import Factory, task_play
from tests.live_server import LiveServer
from tests.services import PostgresDatabase

FUZZ_EXAMPLES = 20
# Schema-valid input may still be refused for what the schema cannot say (an unknown play,
# a name taken, another service's record, the Idempotency-Key rule): with these, each of
# which the operation must also document (status_code_conformance).
ACCEPTED_OR_REFUSED_AS_DOCUMENTED = ["2xx", "400", "401", "403", "404", "409", "413", "422"]
REJECTED = ["400", "401", "403", "404", "405", "409", "413", "422"]

CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {
            "mode": "all",
            "max-examples": FUZZ_EXAMPLES,
            "no-shrink": True,
            "database": "none",
            # Each test sends the caller's own token; generated ones would only be refused.
            "with-security-parameters": False,
        },
        "checks": {
            "positive_data_acceptance": {"expected-statuses": ACCEPTED_OR_REFUSED_AS_DOCUMENTED},
            "negative_data_rejection": {"expected-statuses": REJECTED},
        },
    }
)
SPEC = create_app(Settings(database_url="sqlite:///:memory:")).openapi()
schema = schemathesis.openapi.from_dict(SPEC, config=CONFIG)


@dataclass(frozen=True)
class FuzzedService:
    url: str
    tokens: dict[str, str]


def _seed(database: Database) -> dict[str, str]:
    """A service with an admin and a user (emails no schema example uses), an account,
    a flow, the sentiment form and a play, so some generated calls find something."""
    factory = Factory(database)
    tenant = factory.tenant()
    admin = factory.user(tenant, UserRole.SERVICE_ADMIN, email="fuzz-admin@playrunner.test")
    user = factory.user(tenant, UserRole.USER, email="fuzz-user@playrunner.test")
    factory.account(tenant, "acme", success_manager=user)
    factory.flow(tenant)
    factory.form(tenant)
    factory.play(tenant, task_play())
    return {"admin": factory.token(admin), "user": factory.token(user)}


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def fuzzed(
    request: pytest.FixtureRequest,
    migrated_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[FuzzedService]:
    """A live server on its own database (the fuzzer's writes touch no other test's data),
    with a rate limit the fuzzer cannot reach; one per database for the worker's session."""
    postgres: PostgresDatabase | None = None
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("fuzz") / "playrunner.db"
        shutil.copyfile(migrated_template, path)
        url = f"sqlite:///{path}"
    else:
        postgres = PostgresDatabase.create()
        url = postgres.url
    database = Database(url)
    try:
        tokens = _seed(database)
        app = create_app(
            Settings(
                database_url=url,
                rate_limit="1000000/minute",
                secret_key="fuzz-key",  # webhook secrets; no key file in the working directory
                webhook_workers=0,  # the endpoints it registers are not sent anything
            )
        )
        with LiveServer(app) as server:
            yield FuzzedService(server.url, tokens)
    finally:
        database.dispose()
        if postgres is not None:
            postgres.drop()


# One worker runs them all (``--dist loadgroup`` in pyproject.toml), while the others run the
# rest of the suite: four fuzzers at once starved the tests that measure time.
@pytest.mark.xdist_group("fuzz")
@pytest.mark.parametrize("caller", ["admin", "user"])
@schema.parametrize()
@settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_the_api_keeps_its_contract(
    case: schemathesis.Case[Any], fuzzed: FuzzedService, caller: str
) -> None:
    case.call_and_validate(
        base_url=fuzzed.url, headers={"app-token": fuzzed.tokens[caller]}, timeout=30
    )
