"""Admins' account pages: create, edit and delete an account; import a CSV file in the
browser, with its progress and a report of each refused row (refused rows change nothing)."""

from __future__ import annotations

import html
import re

from playrunner.accounts import imports
from playrunner.accounts import service as accounts_service
from playrunner.accounts.csv_import import CHUNK
from tests.pages import hidden_fields, post_form
from tests.worlds import PagesWorld


def test_an_admin_creates_and_edits_an_account(pages: PagesWorld) -> None:
    admin = pages.signed_in(pages.admin)
    fields = {
        "account_id": "initech",
        "name": "Initech",
        "parent_account_id": "acme",
        "attributes": "segment = SMB\narr = 12000\nreference = true\n",
        "role:Success Manager": pages.csm.email,
        "role:Sales Manager": "",
    }
    done = post_form(admin, "/accounts/new", "/accounts/new", fields)
    assert (done.status_code, done.headers["location"]) == (303, "/accounts/initech")
    with pages.database.session() as session:
        account = accounts_service.read_account(session, pages.tenant.id, "initech")
    assert account.attributes == {"segment": "SMB", "arr": 12000, "reference": True}
    assert account.parent_account_id == "acme"
    assert account.roles == {"Success Manager": pages.csm.email}

    edit = "/accounts/initech/edit"
    page = admin.get(edit).text
    assert "arr = 12000" in page
    changed = {**fields, "name": "Initech Corp", "attributes": "segment = Enterprise"}
    changed.pop("account_id")
    assert post_form(admin, edit, edit, changed).status_code == 303
    with pages.database.session() as session:
        account = accounts_service.read_account(session, pages.tenant.id, "initech")
    assert (account.name, account.attributes) == ("Initech Corp", {"segment": "Enterprise"})


def test_bad_input_is_refused_beside_its_field(pages: PagesWorld) -> None:
    admin = pages.signed_in(pages.admin)
    fields = {"account_id": "x", "name": "X", "parent_account_id": "", "attributes": "segment"}
    refused = post_form(admin, "/accounts/new", "/accounts/new", fields)
    assert refused.status_code == 400
    assert "line 1 must look like name = value" in refused.text
    taken = post_form(
        admin, "/accounts/new", "/accounts/new", {**fields, "account_id": "acme", "attributes": ""}
    )
    assert taken.status_code == 409
    assert "already exists" in taken.text
    loop = post_form(
        admin,
        "/accounts/acme/edit",
        "/accounts/acme/edit",
        {"name": "A", "parent_account_id": "acme", "attributes": ""},
    )
    assert loop.status_code == 400
    assert "would make a loop" in loop.text


def test_deleting_an_account(pages: PagesWorld) -> None:
    admin = pages.signed_in(pages.admin)
    done = post_form(admin, "/accounts/globex/edit", "/accounts/globex/edit", {"do": "delete"})
    assert (done.status_code, done.headers["location"]) == (303, "/accounts?deleted=globex")
    assert admin.get("/accounts/globex").status_code == 404


def test_a_csv_import_applies_good_rows_and_reports_the_bad_one(pages: PagesWorld) -> None:
    admin = pages.signed_in(pages.admin)
    token = hidden_fields(admin.get("/accounts/import").text)["csrf_token"]
    content = (
        "id,name,parent,attr:segment,role:Success Manager\n"
        f"initech,Initech,,SMB,{pages.csm.email}\n"
        "hooli,Hooli,,Enterprise,nobody@example.com\n"
        "acme,Acme Renamed,,,\n"
    )
    started = admin.post(
        "/accounts/import",
        data={"csrf_token": token},
        files={"file": ("accounts.csv", content.encode(), "text/csv")},
    )
    assert started.status_code == 303, started.text
    progress = started.headers["location"]
    for _ in range(200):  # each request lets the import go on
        page = admin.get(progress).text
        if "Imported accounts.csv" in page:
            break
    assert "3 of 3 rows" in page
    assert "1 created, 1 updated, 1 refused." in page
    assert "<td>3</td><td>hooli</td><td>user &#39;nobody@example.com&#39; not found</td>" in page
    assert admin.get("/accounts/hooli").status_code == 404  # the refused row changed nothing
    with pages.database.session() as session:
        assert (
            accounts_service.read_account(session, pages.tenant.id, "acme").name == "Acme Renamed"
        )
        initech = accounts_service.read_account(session, pages.tenant.id, "initech")
    assert initech.roles == {"Success Manager": pages.csm.email}


def test_a_file_that_cannot_be_read_is_refused_whole(pages: PagesWorld) -> None:
    admin = pages.signed_in(pages.admin)
    token = hidden_fields(admin.get("/accounts/import").text)["csrf_token"]
    refused = admin.post(
        "/accounts/import",
        data={"csrf_token": token},
        files={"file": ("accounts.csv", b"name,colour\nA,red\n", "text/csv")},
    )
    assert refused.status_code == 400
    assert "an &#39;id&#39; column is required" in refused.text
    forged = admin.post(
        "/accounts/import",
        data={"csrf_token": "forged"},
        files={"file": ("accounts.csv", b"id\nx\n", "text/csv")},
    )
    assert forged.status_code == 403


def test_a_large_file_is_applied_a_chunk_at_a_time(pages: PagesWorld) -> None:
    admin = pages.signed_in(pages.admin)
    token = hidden_fields(admin.get("/accounts/import").text)["csrf_token"]
    rows = CHUNK * 2 + 7
    content = "id,name,attr:segment\n" + "".join(f"a{n},Account {n},SMB\n" for n in range(rows))
    started = admin.post(
        "/accounts/import",
        data={"csrf_token": token},
        files={"file": ("big.csv", content.encode(), "text/csv")},
    )
    seen: list[str] = []
    for _ in range(500):
        page = admin.get(started.headers["location"]).text
        seen.append(re.search(r"<h2 id=\"progress-heading\">([^<]+)</h2>", page).group(1))  # type: ignore[union-attr]
        if "Imported big.csv" in page:
            break
    assert seen[-1] == f"{rows:,} of {rows:,} rows"
    assert f"{rows:,} created, 0 updated, 0 refused." in page
    with pages.database.session() as session:
        assert accounts_service.read_account(session, pages.tenant.id, f"a{rows - 1}").name


def test_the_progress_page_of_a_running_import(pages: PagesWorld) -> None:
    """While rows remain, the page shows how far it got and refreshes itself (no script)."""
    admin = pages.signed_in(pages.admin)
    with pages.database.session() as session:
        job = imports.start(session, pages.factory.principal(pages.admin), "big.csv", 1200)
        job.processed, job.created = 500, 500
        session.commit()
        job_id = job.id
    page = admin.get(f"/accounts/import/{job_id}").text
    assert "<h1>Importing big.csv</h1>" in page
    assert "500 of 1,200 rows" in page
    assert '<progress id="progress" max="1200" value="500"' in page
    assert '<meta http-equiv="refresh" content="1">' in page
    other = pages.signed_in(pages.csm)
    assert other.get(f"/accounts/import/{job_id}").status_code == 403


def test_saving_an_account_unchanged_keeps_every_attribute_as_it_was(pages: PagesWorld) -> None:
    attributes = {
        "tags": ["a", "b"],
        "code": "42",
        "flag": "true",
        "note": "first line\nsecond line",
        "arr": 12000,
        "ratio": 1.5,
        "reference": True,
        "segment": "SMB",
    }
    pages.factory.account(pages.tenant, "typed", name="Typed", attributes=attributes)
    admin = pages.signed_in(pages.admin)
    edit = "/accounts/typed/edit"
    page = admin.get(edit).text
    shown = re.search(r'<textarea[^>]*name="attributes"[^>]*>(.*?)</textarea>', page, re.S)
    assert shown is not None
    fields = {"name": "Typed", "parent_account_id": "", "attributes": html.unescape(shown[1])}
    assert post_form(admin, edit, edit, fields).status_code == 303
    with pages.database.session() as session:
        account = accounts_service.read_account(session, pages.tenant.id, "typed")
    assert account.attributes == attributes


def test_an_id_with_url_characters_leads_to_its_own_page(pages: PagesWorld) -> None:
    admin = pages.signed_in(pages.admin)
    fields = {"account_id": "q?x#1", "name": "Odd", "parent_account_id": "", "attributes": ""}
    done = post_form(admin, "/accounts/new", "/accounts/new", fields)
    assert done.headers["location"] == "/accounts/q%3Fx%231"
    assert "Odd" in admin.get(done.headers["location"]).text


def test_editing_an_account_keeps_its_external_ids_and_its_page_shows_them(
    pages: PagesWorld,
) -> None:
    with pages.database.session() as session:
        acme = accounts_service.get_account(session, pages.tenant.id, "acme")
        accounts_service.set_external_ids(
            session, pages.tenant.id, acme, {"salesforce": "0019000000B98deAAB"}, replace=True
        )
    admin = pages.signed_in(pages.admin)
    fields = {"name": "Acme Renamed", "parent_account_id": "", "attributes": "segment = SMB"}
    assert post_form(admin, "/accounts/acme/edit", "/accounts/acme/edit", fields).status_code == 303
    with pages.database.session() as session:
        account = accounts_service.read_account(session, pages.tenant.id, "acme")
    assert (account.name, account.external_ids) == (
        "Acme Renamed",
        {"salesforce": "0019000000B98deAAB"},
    )
    assert "salesforce id <code>0019000000B98deAAB</code>" in admin.get("/accounts/acme").text


def test_an_admin_gives_an_account_its_salesforce_id_in_the_editor(pages: PagesWorld) -> None:
    admin = pages.signed_in(pages.admin)
    fields = {
        "name": "Acme",
        "parent_account_id": "",
        "attributes": "",
        "external_ids.salesforce": "0019000000B98de",
    }
    done = post_form(admin, "/accounts/acme/edit", "/accounts/acme/edit", fields)
    assert done.status_code == 303, done.text
    with pages.database.session() as session:
        account = accounts_service.read_account(session, pages.tenant.id, "acme")
    assert account.external_ids == {"salesforce": "0019000000B98deAAB"}  # its 18-character form
    assert 'value="0019000000B98deAAB"' in admin.get("/accounts/acme/edit").text
    cleared = {**fields, "external_ids.salesforce": ""}
    assert (
        post_form(admin, "/accounts/acme/edit", "/accounts/acme/edit", cleared).status_code == 303
    )
    with pages.database.session() as session:
        assert accounts_service.read_account(session, pages.tenant.id, "acme").external_ids == {}
    bad = {**fields, "external_ids.salesforce": "not-an-id!"}
    refused = post_form(admin, "/accounts/acme/edit", "/accounts/acme/edit", bad)
    assert refused.status_code == 400
    assert 'id="external_ids.salesforce-error"' in refused.text
