"""/api/v1/accounts and /api/v1/account-roles over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from tests.worlds import ApiWorld, problem


def account(account_id: str, **fields: Any) -> dict[str, Any]:
    return {"account_id": account_id, "name": f"{account_id} Inc.", **fields}


def test_create_read_update_delete(api: ApiWorld) -> None:
    created = api.admin.post(
        "/api/v1/accounts",
        json=account(
            "acme",
            attributes={"segment": "SMB", "arr": 1200},
            roles={"Success Manager": api.user_user.email},
        ),
    )
    assert created.status_code == 201, created.text
    assert created.json()["roles"] == {"Success Manager": api.user_user.email}

    read = api.user.get("/api/v1/accounts/acme").json()
    assert read["attributes"] == {"segment": "SMB", "arr": 1200}

    patched = api.admin.patch(
        "/api/v1/accounts/acme",
        json={
            "name": "Acme Corp",
            "attributes": {"arr": None, "sentiment": "Red"},
            "roles": {"Success Manager": None, "Sales Manager": api.admin_user.email},
        },
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert body["name"] == "Acme Corp"
    assert body["attributes"] == {"segment": "SMB", "sentiment": "Red"}
    assert body["roles"] == {"Sales Manager": api.admin_user.email}

    assert api.admin.delete("/api/v1/accounts/acme").status_code == 204
    problem(api.admin.get("/api/v1/accounts/acme"), 404)


def test_put_upserts_by_account_id(api: ApiWorld) -> None:
    first = api.admin.put("/api/v1/accounts/globex", json={"name": "Globex"})
    assert first.status_code == 201
    second = api.admin.put("/api/v1/accounts/globex", json={"name": "Globex 2", "attributes": {}})
    assert (second.status_code, second.json()["name"]) == (200, "Globex 2")


def test_put_refuses_an_account_id_too_long_to_store(api: ApiWorld) -> None:
    refused = problem(api.admin.put("/api/v1/accounts/" + "y" * 256, json={"name": "Y"}), 400)
    assert refused["field"] == "path.account_id"
    assert "at most 255 characters" in refused["detail"]


def test_create_refuses_a_taken_id_and_unknown_fields(api: ApiWorld) -> None:
    api.admin.post("/api/v1/accounts", json=account("acme"))
    assert problem(api.admin.post("/api/v1/accounts", json=account("acme")), 409)["field"] == (
        "account_id"
    )
    unknown = problem(api.admin.post("/api/v1/accounts", json=account("x", colour="red")), 400)
    assert unknown["field"] == "body.colour"
    assert "Extra inputs are not permitted" in unknown["detail"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (account("a", attributes={"1st": 1}), "body.attributes", "attribute name '1st'"),
        (account("a", parent_account_id="nope"), "parent_account_id", "Parent account 'nope'"),
        (account("a", roles={"Janitor": "x@y.z"}), "role", "Account role 'Janitor' not found"),
        (account(""), "body.account_id", "at least 1 character"),
        ({"name": "no id"}, "body.account_id", "Field required"),
    ],
)
def test_bad_input_names_the_field(
    api: ApiWorld, body: dict[str, Any], field: str, message: str
) -> None:
    document = problem(
        api.admin.post("/api/v1/accounts", json=body), 400 if field != "role" else 404
    )
    assert document["field"] == field
    assert message in document["detail"]


@pytest.mark.parametrize("account_id", ["bulk", "new", "import"])
def test_an_id_its_own_urls_could_not_reach_is_refused(api: ApiWorld, account_id: str) -> None:
    """/api/v1/accounts/bulk is the bulk call, /accounts/new and /accounts/import are pages:
    an account with such an id could not be read, changed or shown at its URL."""
    refused = problem(api.admin.post("/api/v1/accounts", json=account(account_id)), 400)
    assert refused["field"] == "body.account_id"
    assert f"'{account_id}' cannot be an account id" in refused["detail"]
    bulk = api.admin.post("/api/v1/accounts/bulk", json={"accounts": [account(account_id)]})
    (result,) = bulk.json()["results"]
    assert result["status"] == "error"
    assert f"'{account_id}' cannot be an account id" in result["error"]
    if account_id != "bulk":  # (PUT /api/v1/accounts/bulk is not the account's URL)
        put = api.admin.put(f"/api/v1/accounts/{account_id}", json={"name": "N"})
        assert "cannot be an account id" in problem(put, 400)["detail"]
    problem(api.admin.get(f"/api/v1/accounts/{account_id}"), 405 if account_id == "bulk" else 404)


def test_parent_loops_are_refused(api: ApiWorld) -> None:
    api.admin.post("/api/v1/accounts", json=account("top"))
    api.admin.post("/api/v1/accounts", json=account("mid", parent_account_id="top"))
    document = problem(
        api.admin.patch("/api/v1/accounts/top", json={"parent_account_id": "mid"}), 400
    )
    assert "loop" in document["detail"]
    detached = api.admin.patch("/api/v1/accounts/mid", json={"parent_account_id": None})
    assert detached.json()["parent_account_id"] is None


def test_users_read_but_do_not_write(api: ApiWorld) -> None:
    api.admin.post("/api/v1/accounts", json=account("acme"))
    assert api.user.get("/api/v1/accounts").status_code == 200
    for response in (
        api.user.post("/api/v1/accounts", json=account("mine")),
        api.user.put("/api/v1/accounts/acme", json={"name": "x"}),
        api.user.patch("/api/v1/accounts/acme", json={"name": "x"}),
        api.user.delete("/api/v1/accounts/acme"),
        api.user.post("/api/v1/accounts/bulk", json={"accounts": []}),
        api.user.post("/api/v1/account-roles", json={"name": "x"}),
    ):
        assert problem(response, 403)["detail"] == "User is not authorized with role: SERVICE_ADMIN"


def test_another_service_sees_nothing(api: ApiWorld) -> None:
    api.admin.post("/api/v1/accounts", json=account("acme"))
    problem(api.stranger.get("/api/v1/accounts/acme"), 404)
    problem(api.stranger.patch("/api/v1/accounts/acme", json={"name": "mine"}), 404)
    problem(api.stranger.delete("/api/v1/accounts/acme"), 404)
    assert api.stranger.get("/api/v1/accounts").json()["total"] == 0
    # The same id is free in another service.
    assert api.stranger.post("/api/v1/accounts", json=account("acme")).status_code == 201


def test_listing_filters_and_pages(api: ApiWorld) -> None:
    api.admin.post("/api/v1/accounts", json=account("parent"))
    for n in range(5):
        api.admin.post(
            "/api/v1/accounts",
            json=account(
                f"child-{n}",
                parent_account_id="parent",
                attributes={"segment": "SMB" if n % 2 else "Enterprise", "seats": n, "ref": n == 0},
                roles={"Success Manager": api.user_user.email} if n < 2 else {},
            ),
        )

    def ids(**params: Any) -> list[str]:
        response = api.user.get("/api/v1/accounts", params=params)
        assert response.status_code == 200, response.text
        return [a["account_id"] for a in response.json()["items"]]

    assert ids(parent="parent") == [f"child-{n}" for n in range(5)]
    assert ids(attribute="segment=SMB") == ["child-1", "child-3"]
    assert ids(attribute=["segment=Enterprise", "seats=4"]) == ["child-4"]
    assert ids(attribute="ref=true") == ["child-0"]
    assert ids(holder=api.user_user.email) == ["child-0", "child-1"]
    assert ids(holder=api.user_user.email, role="Sales Manager") == []
    page = api.user.get("/api/v1/accounts", params={"limit": 2, "offset": 2}).json()
    assert (page["total"], [a["account_id"] for a in page["items"]]) == (6, ["child-2", "child-3"])
    problem(api.user.get("/api/v1/accounts", params={"limit": 1001}), 400)
    problem(api.user.get("/api/v1/accounts", params={"attribute": "nonsense"}), 400)


def test_bulk_upsert_reports_each_item(api: ApiWorld) -> None:
    api.admin.post("/api/v1/accounts", json=account("existing"))
    response = api.admin.post(
        "/api/v1/accounts/bulk",
        json={
            "accounts": [
                account("new-parent"),
                account("new-child", parent_account_id="new-parent"),
                account("existing", attributes={"tier": "gold"}),
                account("orphan", parent_account_id="missing"),
                {"account_id": "bad", "name": "Bad", "colour": "red"},
                account("new-child"),
                account("grandchild", parent_account_id="orphan"),
                account("staffed", roles={"Success Manager": "ghost@example.com"}),
            ]
        },
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["created"], result["updated"], result["failed"]) == (2, 1, 5)
    statuses = [(r["index"], r["account_id"], r["status"]) for r in result["results"]]
    assert statuses == [
        (0, "new-parent", "created"),
        (1, "new-child", "created"),
        (2, "existing", "updated"),
        (3, "orphan", "error"),
        (4, "bad", "error"),
        (5, "new-child", "error"),
        (6, "grandchild", "error"),
        (7, "staffed", "error"),
    ]
    errors = {r["account_id"]: r["error"] for r in result["results"] if r["error"]}
    assert errors["orphan"] == "parent account 'missing' not found"
    assert "Extra inputs are not permitted" in errors["bad"]
    assert errors["grandchild"] == "parent account 'orphan' failed"
    assert errors["staffed"] == "user 'ghost@example.com' not found"
    problem(api.admin.get("/api/v1/accounts/orphan"), 404)
    assert api.admin.get("/api/v1/accounts/new-child").json()["parent_account_id"] == "new-parent"
    assert api.admin.get("/api/v1/accounts/existing").json()["attributes"] == {"tier": "gold"}


def test_bulk_takes_ten_thousand_accounts_and_no_more(api: ApiWorld) -> None:
    accounts = [account(f"a{n:05}", attributes={"n": n}) for n in range(10_000)]
    response = api.admin.post("/api/v1/accounts/bulk", json={"accounts": accounts})
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 10_000
    assert api.admin.get("/api/v1/accounts", params={"limit": 1}).json()["total"] == 10_000
    too_many = api.admin.post("/api/v1/accounts/bulk", json={"accounts": [*accounts, account("x")]})
    assert problem(too_many, 400)["field"] == "body.accounts"


def test_role_holders_set_and_cleared(api: ApiWorld) -> None:
    api.admin.post("/api/v1/accounts", json=account("acme"))
    url = "/api/v1/accounts/acme/roles/Success Manager"
    assert api.admin.put(url, json={"email": api.user_user.email}).json()["roles"] == {
        "Success Manager": api.user_user.email
    }
    assert api.admin.delete(url).json()["roles"] == {}
    problem(api.admin.put(url, json={"email": "nobody@example.com"}), 404)
    problem(
        api.admin.put("/api/v1/accounts/acme/roles/Janitor", json={"email": api.user_user.email}),
        404,
    )


def test_account_role_definitions(api: ApiWorld) -> None:
    names = [r["name"] for r in api.user.get("/api/v1/account-roles").json()]
    assert names == ["Sales Manager", "Success Manager"]
    assert (
        api.admin.post("/api/v1/account-roles", json={"name": "Onboarding Lead"}).status_code == 201
    )
    problem(api.admin.post("/api/v1/account-roles", json={"name": "Onboarding Lead"}), 409)
    assert api.admin.delete("/api/v1/account-roles/Onboarding Lead").status_code == 204
    api.factory.play(api.tenant)  # assigns its task to the Success Manager
    assert (
        "assignee rule"
        in problem(api.admin.delete("/api/v1/account-roles/Success Manager"), 409)["detail"]
    )
    api.admin.post("/api/v1/account-roles", json={"name": "Field Lead"})
    problem(api.stranger.delete("/api/v1/account-roles/Field Lead"), 404)
    assert "Field Lead" in [r["name"] for r in api.admin.get("/api/v1/account-roles").json()]
