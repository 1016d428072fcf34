"""The trigger API, its dry run and the bulk call find accounts by their external ids: a
Salesforce button sends Salesforce's Account Id, in its 15- or 18-character form."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from playrunner.models import Run
from tests.accounts.test_external_ids import ID15, ID18, MIXED15, MIXED18
from tests.worlds import PATH, ApiWorld


@pytest.fixture
def world(api: ApiWorld) -> ApiWorld:
    """``acme`` (Salesforce id ID18) and ``globex`` (MIXED18) with a manual play; another
    service has an account with ID18 too."""
    for account_id, salesforce_id in (("acme", ID18), ("globex", MIXED15)):
        answer = api.admin.put(
            f"/api/v1/accounts/{account_id}",
            json={"name": account_id.title(), "external_ids": {"salesforce": salesforce_id}},
        )
        assert answer.status_code == 201, answer.text
    api.stranger.put(
        "/api/v1/accounts/theirs", json={"name": "Theirs", "external_ids": {"salesforce": MIXED18}}
    )
    return api


def _trigger(api: ApiWorld, account: str, **params: str) -> dict[str, str]:
    play = api.factory.play(api.tenant)
    answer = api.admin.post(
        PATH,
        params=params,
        json={"successplayId": str(play.id), "accountId": account},
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 200, answer.text
    result: dict[str, str] = answer.json()
    return result


def _run_account(api: ApiWorld, run_id: str) -> str:
    answer = api.admin.get(f"/api/v2/automations/runs/{run_id}")
    account: str = answer.json()["account_id"]
    return account


@pytest.mark.parametrize("given", [ID18, ID15, ID18.lower(), "acme"])
def test_the_trigger_finds_the_account_by_its_salesforce_id_in_either_form(
    world: ApiWorld, given: str
) -> None:
    result = _trigger(world, given)
    assert _run_account(world, result["runId"]) == "acme"


def test_the_dry_run_names_the_account_found(world: ApiWorld) -> None:
    preview = _trigger(world, MIXED15, dryRun="true")
    assert preview["account"] == {  # type: ignore[comparison-overlap]
        "accountId": "globex",
        "name": "Globex",
        "requestedAccountId": "globex",
    }


def test_unknown_ids_and_another_services_ids_are_not_found(world: ApiWorld) -> None:
    play = world.factory.play(world.tenant)
    for account in ("001000000000000", ID15[:14] + "X", "nobody"):
        answer = world.admin.post(PATH, json={"successplayId": str(play.id), "accountId": account})
        assert (answer.status_code, answer.text) == (400, "Account not found")
    # The other service's account holds MIXED18; in this service, globex does.
    theirs = world.stranger.post(PATH, json={"successplayId": str(play.id), "accountId": ID18})
    assert (theirs.status_code, theirs.text) == (400, "SuccessPlay not found")
    stranger_play = world.factory.play(world.other_tenant)
    mine = world.stranger.post(
        PATH, json={"successplayId": str(stranger_play.id), "accountId": ID18}
    )
    assert (mine.status_code, mine.text) == (400, "Account not found")
    found = world.stranger.post(
        PATH, json={"successplayId": str(stranger_play.id), "accountId": MIXED15}
    )
    assert (found.status_code, found.text) == (200, "Success")


def test_an_accounts_own_id_comes_before_another_accounts_external_id(world: ApiWorld) -> None:
    world.admin.put("/api/v1/accounts/initech", json={"name": "Initech"})
    world.admin.patch("/api/v1/accounts/acme", json={"external_ids": {"legacy": "initech"}})
    assert _run_account(world, _trigger(world, "initech")["runId"]) == "initech"


def test_bulk_finds_accounts_by_external_ids_and_answers_with_the_ids_given(
    world: ApiWorld,
) -> None:
    play = world.factory.play(world.tenant)
    answer = world.admin.post(
        PATH + "/bulk",
        json={"successplayId": str(play.id), "accountIds": [ID15, MIXED18.lower(), "nobody"]},
    )
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [(r["accountId"], r["status"]) for r in results] == [
        (ID15, "success"),
        (MIXED18.lower(), "success"),
        ("nobody", "not_found"),
    ]
    assert [_run_account(world, r["runId"]) for r in results[:2]] == ["acme", "globex"]
    with world.factory.database.session() as session:
        assert len(session.scalars(select(Run)).all()) == 2
