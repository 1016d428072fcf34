"""SQLite's group commit (``playrunner.sqlite.GroupCommit``) when its COMMIT fails: every
request of the batch gets an error, none gets ``Success``, and nothing of the batch is kept."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection, event, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from playrunner.api.state import AppState
from playrunner.app import create_app
from playrunner.config import Settings
from playrunner.db import Database
from playrunner.models import Run, Task, Tenant
from tests.factories import Factory
from tests.live_server import LiveServer
from tests.worlds import PATH, ServiceWorld, body

pytestmark = pytest.mark.sqlite_only

CALLS = 24


def test_a_failed_group_commit_fails_every_request_of_its_batch(
    settings: Settings, database: Database, factory: Factory
) -> None:
    world = ServiceWorld(factory)
    app = create_app(settings)
    state: AppState = app.state.playrunner
    # The COMMIT itself fails: foreign keys are checked only when committing, and every run
    # points at an account that does not exist by then.
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TRIGGER dangling_run AFTER INSERT ON runs BEGIN "
                "UPDATE runs SET requested_account_id = 'gone' WHERE id = NEW.id; END"
            )
        )
    commits = {"failed": 0}

    @event.listens_for(state.database.serving_engine, "begin")
    def defer_foreign_keys(connection: Connection) -> None:
        connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")

    @event.listens_for(state.database.serving_engine, "handle_error")
    def count_failed_commit(context: Any) -> None:
        if "FOREIGN KEY" in str(context.original_exception):
            commits["failed"] += 1

    async def trigger_all(url: str) -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            headers = {"app-token": world.admin_token}
            calls = [
                client.post(PATH, json=body(world.play, "acme"), headers=headers)
                for _ in range(CALLS)
            ]
            return await asyncio.gather(*calls)

    with LiveServer(app) as live:
        answers = asyncio.run(trigger_all(live.url))
        with database.engine.begin() as connection:
            connection.execute(text("DROP TRIGGER dangling_run"))
        # The failure did not outlive its batch: the next calls commit.
        afterwards = asyncio.run(trigger_all(live.url))

    assert [a.status_code for a in answers] == [500] * CALLS
    assert not [a for a in answers if a.text == "Success"]
    assert {a.text for a in answers} == {
        "The request failed inside Playrunner; nothing was written."
    }
    # Requests shared COMMITs (that is what is under test), and each shared one failed.
    assert 1 <= commits["failed"] < CALLS
    assert [(a.status_code, a.text) for a in afterwards] == [(200, "Success")] * CALLS
    with database.session(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(Run)) == CALLS
        assert session.scalar(select(func.count()).select_from(Task)) == CALLS


@pytest.mark.parametrize(("setting", "pragma"), [(None, 2), ("FULL", 2), ("normal", 1)])
def test_a_success_is_durable_by_default_synchronous_full(
    settings: Settings, setting: str | None, pragma: int
) -> None:
    """FULL (2) fsyncs the WAL at every commit: an answered run survives a power loss."""
    if setting is not None:
        settings = settings.model_copy(
            update={"sqlite_synchronous": Settings(sqlite_synchronous=setting).sqlite_synchronous}
        )
    state: AppState = create_app(settings).state.playrunner
    engines = [state.database.serving_engine, state.database.engine]
    for engine in engines:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == pragma
    state.database.dispose()


def test_a_failing_unit_of_work_rolls_back_alone_and_its_savepoint_leaves_no_name_behind(
    sqlite_url: str,
) -> None:
    """Savepoints are sent as plain SQL (``sqlite._savepoints_as_driver_sql``): a request that
    fails inside the group commit is undone alone, and no savepoint name is kept afterwards
    (the dialect's identifier preparer kept one per savepoint, for the life of the process)."""
    served = Database(sqlite_url, serving=True)
    with served.engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE probe (note TEXT)")
    quoted_names = served.engine.dialect.identifier_preparer._strings  # SQLAlchemy's own cache

    def keep(session: Session) -> None:
        session.execute(text("INSERT INTO probe VALUES ('kept')"))

    def fail(session: Session) -> None:
        session.execute(text("INSERT INTO probe VALUES ('undone')"))
        raise ValueError("refused after writing")

    async def one_batch() -> list[Any]:
        try:
            calls = [served.write(keep) for _ in range(CALLS)]
            return await asyncio.gather(*calls, served.write(fail), return_exceptions=True)
        finally:
            await served.aclose()

    names_before = len(quoted_names)
    answers = asyncio.run(one_batch())

    assert answers[:CALLS] == [None] * CALLS
    assert isinstance(answers[CALLS], ValueError)
    assert len(quoted_names) - names_before < CALLS // 2
    with served.engine.connect() as connection:
        notes = connection.exec_driver_sql("SELECT note FROM probe").scalars().all()
    assert notes == ["kept"] * CALLS
    served.dispose()


def test_the_group_commit_keeps_its_savepoint_journals_in_memory_and_only_it(
    sqlite_url: str,
) -> None:
    """Every request in a group commit is a savepoint: their journals stay in memory
    (``temp_store`` 2) instead of a temporary file per batch. Other connections keep
    SQLite's default (0), where large sorts may spill to disk."""
    served = Database(sqlite_url, serving=True)

    def temp_store(session: Session) -> int:
        return int(session.connection().exec_driver_sql("PRAGMA temp_store").scalar_one())

    async def inside_a_batch() -> int:
        try:
            return await served.write(temp_store)
        finally:
            await served.aclose()

    assert asyncio.run(inside_a_batch()) == 2
    with served.session(read_only=True) as session:
        assert temp_store(session) == 0
    served.dispose()


def test_a_request_whose_flush_fails_rolls_back_alone_and_leaves_nothing_to_the_next(
    sqlite_url: str,
) -> None:
    """Requests of a batch share one session object, one after the other: a request whose
    ORM flush fails (a duplicate key) is undone alone, the requests around it keep their
    rows, and what a request left in ``session.info`` is not seen by the next one."""
    served = Database(sqlite_url, serving=True)
    with served.engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE probe (note TEXT)")
    tenant = "flush-probe"
    with served.session() as session:
        session.add(Tenant(id=tenant, name="stored before"))

    def keep(session: Session) -> list[str]:
        leftovers = sorted(key for key in session.info if key.startswith("probe"))
        session.info["probe-left-behind"] = True
        session.execute(text("INSERT INTO probe VALUES ('kept')"))
        return leftovers

    def fail_in_flush(session: Session) -> list[str]:
        session.execute(text("INSERT INTO probe VALUES ('undone')"))
        session.add(Tenant(id=tenant, name="same key again"))  # fails when flushed
        return []

    async def one_batch() -> list[Any]:
        try:
            calls = [served.write(keep) for _ in range(CALLS)]
            calls.insert(CALLS // 2, served.write(fail_in_flush))
            return await asyncio.gather(*calls, return_exceptions=True)
        finally:
            await served.aclose()

    answers = asyncio.run(one_batch())

    failed = answers.pop(CALLS // 2)
    assert isinstance(failed, IntegrityError)
    assert answers == [[]] * CALLS
    with served.engine.connect() as connection:
        notes = connection.exec_driver_sql("SELECT note FROM probe").scalars().all()
        tenants = connection.exec_driver_sql(
            "SELECT count(*) FROM tenants WHERE id = ?", (tenant,)
        ).scalar_one()
    assert notes == ["kept"] * CALLS
    assert tenants == 1
    served.dispose()


def test_reads_on_the_loop_share_a_session_that_each_read_finds_as_new(sqlite_url: str) -> None:
    """The loop's reads (``sqlite.LoopReader``) reuse one session object: a read finds
    nothing a previous read left in it (``session.info``, loaded objects), a read that
    fails ends its transaction, and the next read sees what was committed in between."""
    served = Database(sqlite_url, serving=True)
    with served.session() as session:
        session.add(Tenant(id="loop-reader", name="before"))

    def leave_behind(session: Session) -> None:
        session.info["probe-left-behind"] = True
        tenant = session.get(Tenant, "loop-reader")
        assert tenant is not None
        tenant.name = "changed in a read, never flushed"
        raise LookupError("this read fails")

    def look(session: Session) -> tuple[list[str], str, int]:
        tenant = session.get(Tenant, "loop-reader")
        assert tenant is not None
        return sorted(session.info), tenant.name, len(session.identity_map)

    async def reads() -> tuple[Any, ...]:
        try:
            failed = await asyncio.gather(served.read(leave_behind), return_exceptions=True)
            with served.session() as session:  # another connection commits meanwhile
                tenant = session.get(Tenant, "loop-reader")
                assert tenant is not None
                tenant.name = "after"
            return failed[0], await served.read(look)
        finally:
            await served.aclose()

    failed, (info, name, loaded) = asyncio.run(reads())

    assert isinstance(failed, LookupError)
    assert info == []
    assert name == "after"
    assert loaded == 1
    served.dispose()


def test_a_request_that_ends_its_own_transaction_fails_its_whole_batch(sqlite_url: str) -> None:
    """Only ``Database`` ends transactions. A work that rolls its session back and goes on
    writing has left its savepoint: what it wrote is in the batch's transaction, where it
    cannot be undone alone, so the batch's COMMIT is refused and every request of the
    batch gets the error; nothing of it is kept, and the next batch commits."""
    served = Database(sqlite_url, serving=True)
    with served.engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE probe (note TEXT)")

    def keep(session: Session) -> None:
        session.execute(text("INSERT INTO probe VALUES ('kept')"))

    def roll_back_and_go_on(session: Session) -> None:
        session.execute(text("INSERT INTO probe VALUES ('rolled back')"))
        session.rollback()
        session.execute(text("INSERT INTO probe VALUES ('written past its savepoint')"))

    def roll_back_go_on_and_fail(session: Session) -> None:
        roll_back_and_go_on(session)
        raise LookupError("and then it fails")

    async def batch_with(odd_one: Callable[[Session], None]) -> list[Any]:
        calls = [served.write(keep) for _ in range(CALLS)]
        calls.insert(CALLS // 2, served.write(odd_one))
        return await asyncio.gather(*calls, return_exceptions=True)

    async def batches() -> tuple[list[Any], list[Any], list[Any]]:
        try:
            first = await batch_with(roll_back_and_go_on)
            second = await batch_with(roll_back_go_on_and_fail)
            third = await asyncio.gather(*(served.write(keep) for _ in range(CALLS)))
            return first, second, third
        finally:
            await served.aclose()

    first, second, third = asyncio.run(batches())

    assert "ended its transaction" in str(first.pop(CALLS // 2))
    assert isinstance(second.pop(CALLS // 2), LookupError)
    _assert_refused(first + second)
    assert third == [None] * CALLS
    assert _probe_notes(served) == ["kept"] * CALLS
    served.dispose()


@pytest.mark.parametrize("failing", ["release_savepoint", "rollback_savepoint"])
def test_a_request_whose_savepoint_cannot_be_ended_fails_its_whole_batch(
    sqlite_url: str, failing: str
) -> None:
    """When a request's RELEASE (it succeeded) or ROLLBACK TO (it failed) fails, as on an I/O
    error, its writes may still be in the batch: the batch's COMMIT is refused, every
    request of it gets an error, nothing of it is kept, and the next batch commits. The
    failure is injected at SQLAlchemy's hook for that statement, for that request only."""
    served = Database(sqlite_url, serving=True)
    with served.engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE probe (note TEXT)")
    armed = {"now": False}

    @event.listens_for(served.engine, failing)
    def fail_once(*_args: Any) -> None:
        if armed["now"]:
            armed["now"] = False
            raise OSError("disk I/O error")

    def keep(session: Session) -> None:
        session.execute(text("INSERT INTO probe VALUES ('kept')"))

    def odd_one(session: Session) -> None:
        session.execute(text("INSERT INTO probe VALUES ('cannot be undone alone')"))
        armed["now"] = True  # the next RELEASE or ROLLBACK TO is this request's
        if failing == "rollback_savepoint":
            raise LookupError("this request fails")

    async def batches() -> tuple[list[Any], list[Any]]:
        try:
            calls = [served.write(keep) for _ in range(CALLS)]
            calls.insert(CALLS // 2, served.write(odd_one))
            first = await asyncio.gather(*calls, return_exceptions=True)
            second = await asyncio.gather(*(served.write(keep) for _ in range(CALLS)))
            return first, second
        finally:
            await served.aclose()

    first, second = asyncio.run(batches())

    assert "disk I/O error" in str(first.pop(CALLS // 2))
    _assert_refused(first)
    assert second == [None] * CALLS
    assert _probe_notes(served) == ["kept"] * CALLS
    served.dispose()


def test_a_read_on_the_loop_ends_as_a_unit_of_work_does(sqlite_url: str) -> None:
    """A read is not expected to write, but what its session holds is flushed before its
    transaction ends, as every unit of work's commit does (on PostgreSQL too)."""
    served = Database(sqlite_url, serving=True)
    with served.session() as session:
        session.add(Tenant(id="read-flush", name="before"))

    def rename(session: Session) -> None:
        tenant = session.get(Tenant, "read-flush")
        assert tenant is not None
        tenant.name = "renamed in a read"

    async def read() -> None:
        try:
            await served.read(rename)
        finally:
            await served.aclose()

    asyncio.run(read())
    with served.session(read_only=True) as session:
        tenant = session.get(Tenant, "read-flush")
        assert tenant is not None
        assert tenant.name == "renamed in a read"
    served.dispose()


def _assert_refused(answers: list[Any]) -> None:
    """Every request of a batch whose COMMIT was refused got that error."""
    for refused in answers:
        assert isinstance(refused, RuntimeError)
        assert "the batch was not committed" in str(refused)


def _probe_notes(served: Database) -> list[str]:
    with served.engine.connect() as connection:
        return list(connection.exec_driver_sql("SELECT note FROM probe").scalars().all())
