"""Reading accounts from a CSV file into the items ``bulk_upsert`` takes.

Columns: ``id`` (required), ``name``, ``parent`` (a parent's id), ``attr:<attribute>`` for
each attribute and ``role:<role name>`` for each account role (a user's email). A cell left
empty sets nothing. Attribute cells that read as a JSON number, ``true`` or ``false`` are
stored as such; everything else is text.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

import orjson
from sqlalchemy.orm import Session

from playrunner.accounts import bulk
from playrunner.errors import InvalidRequest

ATTRIBUTE_PREFIX = "attr:"
ROLE_PREFIX = "role:"
# An account's id in another system: ext:salesforce (the external_ids of the API).
EXTERNAL_ID_PREFIX = "ext:"
_FIXED = ("id", "name", "parent")


@dataclass(frozen=True)
class CsvRow:
    line: int  # the line of the file the row starts on, for error reports
    item: dict[str, Any]


# Rows are written this many at a time: a progress step, and one INSERT per table per step.
CHUNK = 500


@dataclass(frozen=True)
class ChunkResult:
    created: int
    updated: int
    rejected: list[tuple[int, str, str]]  # line, account id, reason


def import_chunk(
    session: Session,
    tenant_id: str,
    chunk: Sequence[CsvRow],
    actor_user_id: uuid.UUID | None = None,
) -> ChunkResult:
    """Write a chunk of rows: each row is applied or refused on its own, and a refused row
    changes nothing (the CLI and the web app's import alike). ``actor_user_id``: who imports
    (event plays the rows start run as them; by default the service's first admin)."""
    result = bulk.bulk_upsert(session, tenant_id, [row.item for row in chunk], actor_user_id)
    rejected = [
        (
            chunk[outcome.index].line,
            str(chunk[outcome.index].item.get("account_id")),
            outcome.error or "",
        )
        for outcome in result.results
        if outcome.status == "error"
    ]
    return ChunkResult(result.created, result.updated, rejected)


def read_rows(stream: TextIO, source: str) -> list[CsvRow]:
    """Every row as a bulk item, parents before their children. A file that cannot be read
    as a whole is refused with its name, line and reason."""
    reader = csv.DictReader(stream)
    header = reader.fieldnames
    if not header:
        raise InvalidRequest(f"{source}: line 1: the file is empty", field="file")
    _check_header(header, source)
    rows = []
    try:
        for record in reader:
            if None in record:
                raise InvalidRequest(
                    f"{source}: line {reader.line_num}: more cells than the header has columns",
                    field="file",
                )
            rows.append(CsvRow(reader.line_num, _item(record)))
    except csv.Error as exc:
        raise InvalidRequest(f"{source}: line {reader.line_num}: {exc}", field="file") from None
    return list(_parents_first(rows))


def _check_header(header: Sequence[str], source: str) -> None:
    if "id" not in header:
        raise InvalidRequest(f"{source}: line 1: an 'id' column is required", field="file")
    for column in header:
        if column in _FIXED or column.startswith(
            (ATTRIBUTE_PREFIX, ROLE_PREFIX, EXTERNAL_ID_PREFIX)
        ):
            continue
        raise InvalidRequest(
            f"{source}: line 1: unknown column {column!r}; use id, name, parent,"
            f" {ATTRIBUTE_PREFIX}<attribute>, {ROLE_PREFIX}<role name> or"
            f" {EXTERNAL_ID_PREFIX}<system>",
            field="file",
        )
    if len(set(header)) != len(header):
        raise InvalidRequest(f"{source}: line 1: a column is named twice", field="file")


def _item(record: dict[str, str]) -> dict[str, Any]:
    account_id = (record.get("id") or "").strip()
    item: dict[str, Any] = {
        "account_id": account_id,
        "name": (record.get("name") or "").strip() or account_id,
        "attributes": {},
        "roles": {},
    }
    if parent := (record.get("parent") or "").strip():
        item["parent_account_id"] = parent
    if any(column.startswith(EXTERNAL_ID_PREFIX) for column in record):
        # As attributes: the file says what the account's external ids are (an empty cell:
        # none in that system).
        item["external_ids"] = {}
    for column, cell in record.items():
        value = (cell or "").strip()
        if not value:
            continue
        if column.startswith(ATTRIBUTE_PREFIX):
            item["attributes"][column.removeprefix(ATTRIBUTE_PREFIX)] = typed_cell(value)
        elif column.startswith(ROLE_PREFIX):
            item["roles"][column.removeprefix(ROLE_PREFIX)] = value
        elif column.startswith(EXTERNAL_ID_PREFIX):
            item["external_ids"][column.removeprefix(EXTERNAL_ID_PREFIX)] = value
    return item


def typed_cell(value: str) -> Any:
    """A cell as an attribute's value: a JSON number, true or false as such; else text."""
    try:
        parsed = orjson.loads(value)
    except orjson.JSONDecodeError:
        return value
    return parsed if isinstance(parsed, int | float | bool) else value


def _parents_first(rows: list[CsvRow]) -> Iterator[CsvRow]:
    """Rows ordered so that a parent in the file comes before its children (file order
    otherwise), so that a file can be imported in chunks."""
    by_id = {row.item["account_id"]: row for row in rows if row.item["account_id"]}
    emitted: set[int] = set()
    for row in rows:
        chain = []
        current: CsvRow | None = row
        while current is not None and current.line not in emitted and current not in chain:
            chain.append(current)
            parent = current.item.get("parent_account_id")
            current = by_id.get(parent) if parent else None
        for pending in reversed(chain):
            emitted.add(pending.line)
            yield pending
