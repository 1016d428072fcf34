"""``playrunner accounts import``: a CSV file of accounts, with a per-row error report."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from playrunner.accounts import service as accounts_service
from playrunner.cli.main import app
from playrunner.db import Database
from tests.factories import Factory


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run(database_url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        app,
        ["accounts", "import", *args],
        env={"PLAYRUNNER_DATABASE_URL": database_url, "COLUMNS": "200"},
    )
    return result.exit_code, result.stdout, result.stderr


def test_a_thousand_accounts_with_parents_roles_and_rejected_rows(
    database_url: str, database: Database, factory: Factory, tmp_path: Path
) -> None:
    tenant = factory.tenant()
    csm = factory.user(tenant, email="csm@example.com")
    header = ["id", "name", "parent", "attr:segment", "attr:seats", "role:Success Manager"]
    rows = [["hq", "HQ", "", "Enterprise", "500", "csm@example.com"]]
    # Children listed before their parent, to show the order of the file does not matter.
    rows += [
        [f"acct-{n:04}", f"Account {n}", "region" if n % 10 == 0 else "", "SMB", str(n), ""]
        for n in range(996)
    ]
    rows += [["region", "Region", "hq", "Enterprise", "", "csm@example.com"]]
    bad = [
        ["ghost-csm", "Ghost", "", "SMB", "1", "nobody@example.com"],
        ["no-parent", "Orphan", "missing", "SMB", "1", ""],
        ["", "No id", "", "", "", ""],
    ]
    path = write_csv(tmp_path / "accounts.csv", header, rows + bad)

    code, out, err = run(database_url, str(path), "--json", "--errors", str(tmp_path / "err.csv"))

    assert code == 1, err
    report = json.loads(out)
    assert (report["created"], report["updated"]) == (998, 0)
    assert [(r["line"], r["id"]) for r in report["rejected"]] == [
        (1000, "ghost-csm"),
        (1001, "no-parent"),
        (1002, ""),
    ]
    assert report["rejected"][0]["error"] == "user 'nobody@example.com' not found"
    assert report["rejected"][1]["error"] == "parent account 'missing' not found"
    assert "account_id" in report["rejected"][2]["error"]
    with database.session(read_only=True) as session:
        child = accounts_service.read_account(session, tenant.id, "acct-0010")
        region = accounts_service.read_account(session, tenant.id, "region")
        assert child.parent_account_id == "region"
        assert child.attributes == {"segment": "SMB", "seats": 10}
        assert region.roles == {"Success Manager": csm.email}
        stored, total = accounts_service.page_accounts(session, tenant.id, limit=1000, offset=0)
    assert total == 998
    assert not {"ghost-csm", "no-parent"} & {a.account_id for a in stored}
    with (tmp_path / "err.csv").open() as stream:
        assert len(list(csv.DictReader(stream))) == 3


def test_reimporting_updates(
    database_url: str, database: Database, factory: Factory, tmp_path: Path
) -> None:
    tenant = factory.tenant()
    path = write_csv(tmp_path / "a.csv", ["id", "name", "attr:tier"], [["acme", "Acme", "gold"]])
    assert run(database_url, str(path))[0] == 0
    path = write_csv(tmp_path / "a.csv", ["id", "name", "attr:tier"], [["acme", "Acme", "silver"]])
    code, out, _ = run(database_url, str(path))
    assert code == 0
    assert "0 created, 1 updated, 0 rejected" in out
    with database.session(read_only=True) as session:
        assert accounts_service.read_account(session, tenant.id, "acme").attributes == {
            "tier": "silver"
        }


def test_a_malformed_file_is_refused_whole_with_its_line(
    database_url: str, factory: Factory, tmp_path: Path
) -> None:
    factory.tenant()
    unknown = write_csv(tmp_path / "u.csv", ["id", "colour"], [["a", "red"]])
    code, _, err = run(database_url, str(unknown))
    assert code == 1
    assert f"{unknown}: line 1: unknown column 'colour'" in err

    ragged = tmp_path / "r.csv"
    ragged.write_text("id,name\na,A\nb,B,extra\n")
    code, _, err = run(database_url, str(ragged))
    assert code == 1
    assert f"{ragged}: line 3: more cells than the header has columns" in err


def test_salesforce_ids_come_in_an_ext_column_and_find_the_accounts(
    database_url: str, database: Database, factory: Factory, tmp_path: Path
) -> None:
    tenant = factory.tenant()
    path = write_csv(
        tmp_path / "accounts.csv",
        ["id", "name", "ext:salesforce"],
        [["acme", "Acme", "001Dn00000AbCdE"], ["globex", "Globex", ""]],
    )
    code, out, err = run(database_url, str(path))
    assert code == 0, out + err
    with database.session(read_only=True) as session:
        found = accounts_service.find_snapshot(session, tenant.id, "001Dn00000AbCdEIAV")
        assert found is not None
        assert found.account_id == "acme"
        assert accounts_service.find_snapshot(session, tenant.id, "001Dn00000AbCdE") == found
        assert accounts_service.read_account(session, tenant.id, "globex").external_ids == {}
