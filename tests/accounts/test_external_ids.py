"""An account's ids in other systems: Salesforce's 15- and 18-character ids, and setting and
reading them through /api/v1/accounts (create, replace, patch, bulk)."""

from __future__ import annotations

import pytest

from playrunner.accounts.external_ids import (
    canonical_external_id,
    canonical_salesforce_id,
    lookup_forms,
    salesforce_suffix,
)
from tests.worlds import ApiWorld, problem

# Salesforce's own worked example of the conversion: 0019000000B98de -> ...AAB.
ID15 = "0019000000B98de"
ID18 = "0019000000B98deAAB"
# Upper-case letters in every chunk, so each suffix character carries bits.
MIXED15 = "001Dn00000AbCdE"
MIXED18 = "001Dn00000AbCdEIAV"


def test_the_suffix_encodes_the_case_of_each_chunk_of_five() -> None:
    assert salesforce_suffix(ID15) == "AAB"
    assert salesforce_suffix("aaaaaaaaaaaaaaa") == "AAA"
    assert salesforce_suffix("AAAAAAAAAAAAAAA") == "555"
    # Bit i of a chunk is its character i: "0000A" sets bit 4 (16 -> Q).
    assert salesforce_suffix("0000A0000000000") == "QAA"
    assert salesforce_suffix(MIXED15) == "IAV"


def test_ids_are_stored_in_their_18_character_form() -> None:
    assert canonical_salesforce_id(ID15) == ID18
    assert canonical_salesforce_id(ID18) == ID18
    assert canonical_salesforce_id(f"  {MIXED15} ") == MIXED18
    # The 18-character form is case-safe: its suffix gives the case back.
    assert canonical_salesforce_id(MIXED18.lower()) == MIXED18
    assert canonical_salesforce_id(MIXED18.upper()) == MIXED18


@pytest.mark.parametrize(
    ("value", "problem_text"),
    [
        ("001Dn00000AbCd", "15 or 18 letters and digits"),
        ("001Dn00000AbCdE1", "15 or 18 letters and digits"),
        ("001Dn00000AbCd-", "15 or 18 letters and digits"),
        ("001Dn00000AbCdEIAA", "do not match the first 15"),
        # The suffix says character 0 is upper-case; it is a digit.
        ("000000000000000BAA", "do not match the first 15"),
    ],
)
def test_malformed_salesforce_ids_are_refused(value: str, problem_text: str) -> None:
    with pytest.raises(ValueError, match=problem_text):
        canonical_salesforce_id(value)


def test_other_systems_keep_their_ids_as_given_and_systems_are_named_plainly() -> None:
    assert canonical_external_id("hubspot", " 12345 ") == "12345"
    with pytest.raises(ValueError, match="lower-case letters"):
        canonical_external_id("Sales Force", "x")
    with pytest.raises(ValueError, match="1 to 255 characters"):
        canonical_external_id("hubspot", " ")


def test_a_lookup_tries_the_id_as_given_and_its_stored_salesforce_form() -> None:
    assert lookup_forms(ID15) == [ID15, ID18]
    assert lookup_forms(ID18) == [ID18]
    assert lookup_forms(MIXED18.lower()) == [MIXED18.lower(), MIXED18]
    assert lookup_forms("acme") == ["acme"]


# Through the management API -------------------------------------------------------------


def test_accounts_carry_external_ids_on_create_read_patch_and_put(api: ApiWorld) -> None:
    created = api.admin.post(
        "/api/v1/accounts",
        json={"account_id": "acme", "name": "Acme", "external_ids": {"salesforce": ID15}},
    )
    assert created.status_code == 201, created.text
    assert created.json()["external_ids"] == {"salesforce": ID18}
    assert api.user.get("/api/v1/accounts/acme").json()["external_ids"] == {"salesforce": ID18}

    patched = api.admin.patch(
        "/api/v1/accounts/acme", json={"external_ids": {"hubspot": "987", "salesforce": MIXED15}}
    )
    assert patched.json()["external_ids"] == {"salesforce": MIXED18, "hubspot": "987"}
    removed = api.admin.patch("/api/v1/accounts/acme", json={"external_ids": {"hubspot": None}})
    assert removed.json()["external_ids"] == {"salesforce": MIXED18}

    # PUT keeps them when it leaves them out (as the web editor and CSV imports do), and
    # replaces them when it gives them.
    kept = api.admin.put("/api/v1/accounts/acme", json={"name": "Acme"})
    assert kept.json()["external_ids"] == {"salesforce": MIXED18}
    replaced = api.admin.put(
        "/api/v1/accounts/acme", json={"name": "Acme", "external_ids": {"hubspot": "1"}}
    )
    assert replaced.json()["external_ids"] == {"hubspot": "1"}
    cleared = api.admin.put("/api/v1/accounts/acme", json={"name": "Acme", "external_ids": {}})
    assert cleared.json()["external_ids"] == {}
    listed = api.user.get("/api/v1/accounts").json()["items"]
    assert [item["external_ids"] for item in listed] == [{}]


def test_an_invalid_id_is_refused_naming_the_field(api: ApiWorld) -> None:
    bad = problem(
        api.admin.post(
            "/api/v1/accounts",
            json={"account_id": "acme", "name": "Acme", "external_ids": {"salesforce": "001x"}},
        ),
        400,
    )
    assert bad["field"] == "body.external_ids"
    assert "salesforce: '001x' is not a Salesforce id" in bad["detail"]
    suffix = problem(
        api.admin.put(
            "/api/v1/accounts/acme",
            json={"name": "Acme", "external_ids": {"salesforce": ID15 + "ZZZ"}},
        ),
        400,
    )
    assert "do not match the first 15" in suffix["detail"]
    null = problem(
        api.admin.put(
            "/api/v1/accounts/acme", json={"name": "Acme", "external_ids": {"salesforce": None}}
        ),
        400,
    )
    assert null["field"].startswith("body.external_ids")
    system = problem(
        api.admin.put("/api/v1/accounts/acme", json={"name": "A", "external_ids": {"SF": "1"}}),
        400,
    )
    assert "system 'SF' must be 1 to 32 lower-case letters" in system["detail"]


def test_an_external_id_names_one_account_of_the_service(api: ApiWorld) -> None:
    api.admin.put(
        "/api/v1/accounts/acme", json={"name": "Acme", "external_ids": {"salesforce": ID18}}
    )
    taken = problem(
        api.admin.put(
            "/api/v1/accounts/globex", json={"name": "Globex", "external_ids": {"salesforce": ID15}}
        ),
        409,
    )
    assert taken["field"] == "external_ids.salesforce"
    assert taken["detail"] == f"salesforce id {ID18!r} already belongs to account 'acme'"
    # In any system: a trigger sends the bare id.
    other_system = problem(
        api.admin.put(
            "/api/v1/accounts/globex", json={"name": "Globex", "external_ids": {"hubspot": ID18}}
        ),
        409,
    )
    assert other_system["field"] == "external_ids.hubspot"
    twice = problem(
        api.admin.patch(
            "/api/v1/accounts/acme", json={"external_ids": {"hubspot": ID18, "zendesk": ID18}}
        ),
        400,
    )
    assert "is also the account's" in twice["detail"]
    # An id may move between the account's systems in one change.
    moved = api.admin.patch(
        "/api/v1/accounts/acme", json={"external_ids": {"salesforce": None, "legacy": ID18}}
    )
    assert moved.json()["external_ids"] == {"legacy": ID18}
    # Another service may hold the same id.
    theirs = api.stranger.put(
        "/api/v1/accounts/acme", json={"name": "Theirs", "external_ids": {"salesforce": ID18}}
    )
    assert theirs.status_code == 201, theirs.text


def test_bulk_upserts_set_external_ids_and_report_conflicts_per_item(api: ApiWorld) -> None:
    api.admin.put(
        "/api/v1/accounts/acme", json={"name": "Acme", "external_ids": {"salesforce": ID18}}
    )
    answer = api.admin.post(
        "/api/v1/accounts/bulk",
        json={
            "accounts": [
                {"account_id": "acme", "name": "Acme", "external_ids": {"salesforce": ID15}},
                {"account_id": "globex", "name": "Globex", "external_ids": {"salesforce": MIXED15}},
                {"account_id": "initech", "name": "Initech", "external_ids": {"hubspot": MIXED18}},
                {"account_id": "hooli", "name": "Hooli", "external_ids": {"salesforce": ID18}},
                {"account_id": "umbrella", "name": "U", "external_ids": {"salesforce": "bad"}},
            ]
        },
    )
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["status"] for r in results] == ["updated", "created", "error", "error", "error"]
    assert results[2]["error"] == f"hubspot id {MIXED18!r} already belongs to another account"
    assert results[3]["error"] == f"salesforce id {ID18!r} already belongs to another account"
    assert "is not a Salesforce id" in results[4]["error"]
    assert api.admin.get("/api/v1/accounts/globex").json()["external_ids"] == {
        "salesforce": MIXED18
    }
    assert api.admin.get("/api/v1/accounts/acme").json()["external_ids"] == {"salesforce": ID18}
    problem(api.admin.get("/api/v1/accounts/hooli"), 404)
