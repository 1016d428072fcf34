"""What a run reads of the account it is on: the account and its whole team, in one query when
the account is named by its own id (``accounts.service.find_snapshot_with_team``)."""

from __future__ import annotations

from typing import Any

from playrunner.accounts import service
from playrunner.db import Database
from tests.factories import Factory
from tests.statements import recorded_statements


def test_the_account_comes_with_everyone_on_its_team_in_one_query(
    database: Database, factory: Factory
) -> None:
    tenant = factory.tenant()
    csm, exec_sponsor = factory.user(tenant), factory.user(tenant)
    factory.account(tenant, "acme", name="Acme", success_manager=csm)
    factory.account(tenant, "solo", name="Solo")
    elsewhere = factory.tenant()
    other = factory.user(elsewhere)
    factory.account(elsewhere, "acme", name="Acme elsewhere", success_manager=other)

    def work(session: Any) -> None:
        acme = service.get_account(session, tenant.id, "acme")
        service.add_role(session, tenant.id, "Executive Sponsor")
        service.assign_role(session, tenant.id, acme, "Executive Sponsor", exec_sponsor.email)
        service.set_external_ids(
            session, tenant.id, acme, {"salesforce": "0019000000B98de"}, replace=True
        )

    database.run_sync(work)
    with (
        recorded_statements(database.engine) as statements,
        database.session(read_only=True) as session,
    ):
        statements.clear()
        found = service.find_snapshot_with_team(session, tenant.id, "acme")
        own_id_statements = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        solo = service.find_snapshot_with_team(session, tenant.id, "solo")
        by_salesforce = service.find_snapshot_with_team(session, tenant.id, "0019000000B98de")
        missing = service.find_snapshot_with_team(session, tenant.id, "nobody")

    assert found is not None
    account, team = found
    assert (account.account_id, account.name) == ("acme", "Acme")
    assert len(own_id_statements) == 1
    assert {holder.email for holder in team.values()} == {csm.email, exec_sponsor.email}
    assert all(holder.active for holder in team.values())
    assert all(holder.role_id == role_id for role_id, holder in team.items())
    # No team: the account, and nobody (a run then falls back to the runner).
    assert solo is not None
    assert (solo[0].account_id, solo[1]) == ("solo", {})
    # By an id in another system (the 15-character Salesforce id of the 18 stored).
    assert by_salesforce is not None
    assert by_salesforce[0].account_id == "acme"
    assert by_salesforce[1] == team
    assert missing is None


def test_the_accounts_of_calls_run_together_come_with_their_teams_in_one_query(
    database: Database, factory: Factory
) -> None:
    tenant = factory.tenant()
    csm = factory.user(tenant)
    factory.account(tenant, "acme", name="Acme", success_manager=csm)
    factory.account(tenant, "solo", name="Solo")
    elsewhere = factory.tenant()
    factory.account(elsewhere, "beta", name="Beta elsewhere")

    def work(session: Any) -> None:
        acme = service.get_account(session, tenant.id, "acme")
        service.set_external_ids(
            session, tenant.id, acme, {"salesforce": "0019000000B98de"}, replace=True
        )

    database.run_sync(work)
    asked = ["solo", "acme", "beta", "0019000000B98de", "nobody", "acme"]
    with (
        recorded_statements(database.engine) as statements,
        database.session(read_only=True) as session,
    ):
        statements.clear()
        own_ids = service.find_snapshots_with_teams(session, tenant.id, ["acme", "solo", "acme"])
        own_id_statements = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        found = service.find_snapshots_with_teams(session, tenant.id, asked)
        one = service.find_snapshot_with_team(session, tenant.id, "acme")

    assert len(own_id_statements) == 1
    assert sorted(own_ids) == ["acme", "solo"]
    # Another service's account is not found; one named by an id in another system is.
    assert sorted(found) == ["0019000000B98de", "acme", "solo"]
    assert (found["acme"][0].name, found["solo"][0].name) == ("Acme", "Solo")
    assert found["0019000000B98de"] == found["acme"] == own_ids["acme"] == one
    assert [holder.email for holder in found["acme"][1].values()] == [csm.email]
    assert found["solo"][1] == {}
