"""CSV imports from the web app: the file's rows are written a chunk at a time in the
background, each chunk with the import's progress in the same transaction, so the progress
page shows how far it got and every refused row with its line and reason. Rows are applied or
refused one by one, as on the CLI (``csv_import.import_chunk``)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence
from datetime import timedelta
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from playrunner.accounts.csv_import import CHUNK, CsvRow, import_chunk
from playrunner.auth.principal import Principal
from playrunner.clock import utcnow
from playrunner.db import Database
from playrunner.errors import NotFound
from playrunner.models import AccountImport, ImportStatus

logger = logging.getLogger("playrunner")

# Refused rows kept for the report (the count is always exact).
MAX_REPORTED = 1000
# An import with no progress for this long was stopped (the server restarted).
STALLED_AFTER = timedelta(minutes=2)


def start(session: Session, actor: Principal, filename: str, total: int) -> AccountImport:
    now = utcnow()
    job = AccountImport(
        tenant_id=actor.tenant_id,
        user_id=actor.user_id,
        filename=filename[:255] or "accounts.csv",
        status=ImportStatus.RUNNING if total else ImportStatus.DONE,
        total=total,
        processed=0,
        created=0,
        updated=0,
        rejected=[],
        rejected_count=0,
        created_at=now,
        updated_at=now,
    )
    session.add(job)
    session.flush()
    return job


def get_import(session: Session, tenant_id: str, import_id: uuid.UUID) -> AccountImport:
    job = session.scalars(
        select(AccountImport).where(
            AccountImport.tenant_id == tenant_id, AccountImport.id == import_id
        )
    ).first()
    if job is None:
        raise NotFound(f"Import {import_id} not found", field="import_id")
    return job


def is_stalled(job: AccountImport) -> bool:
    return job.status is ImportStatus.RUNNING and utcnow() - job.updated_at > STALLED_AFTER


def apply_chunk(
    session: Session, tenant_id: str, import_id: uuid.UUID, chunk: Sequence[CsvRow], last: bool
) -> None:
    """One chunk of rows, and the import's progress, in one transaction."""
    job = get_import(session, tenant_id, import_id)
    result = import_chunk(session, tenant_id, chunk, job.user_id)
    job.processed += len(chunk)
    job.created += result.created
    job.updated += result.updated
    job.rejected_count += len(result.rejected)
    room = MAX_REPORTED - len(job.rejected)
    if room > 0 and result.rejected:
        job.rejected = [*job.rejected, *[list(r) for r in result.rejected[:room]]]
    if last:
        job.status = ImportStatus.DONE
    job.updated_at = utcnow()
    session.flush()


async def run(database: Database, tenant_id: str, import_id: uuid.UUID, rows: list[CsvRow]) -> None:
    """Import ``rows`` chunk by chunk, letting other requests in between."""
    try:
        for start in range(0, len(rows), CHUNK):
            await database.write(
                partial(
                    apply_chunk,
                    tenant_id=tenant_id,
                    import_id=import_id,
                    chunk=rows[start : start + CHUNK],
                    last=start + CHUNK >= len(rows),
                )
            )
            await asyncio.sleep(0)
    except Exception:
        logger.exception("account import %s stopped", import_id)
