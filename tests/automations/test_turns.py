"""Trigger calls for one play of one service that arrive together run as one batch
(``automations.turns``), and each still gets the answer it would have had alone."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, event, select

from playrunner.api.state import AppState
from playrunner.automations import service, turns
from playrunner.automations.schemas import Trigger
from playrunner.automations.service import Answer
from playrunner.db import Database
from playrunner.errors import PermissionDenied
from playrunner.models import AccessToken, Account, Run, RunSource, RunStatus, Task
from tests.factories import Factory, task_play
from tests.in_process import InProcessApp
from tests.statements import recorded_statements
from tests.worlds import PATH, ServiceWorld, body, trigger


@pytest.fixture
def world(factory: Factory) -> ServiceWorld:
    return ServiceWorld(factory)


def at_once_by(app: InProcessApp, calls: list[tuple[str, Any]]) -> list[httpx.Response]:
    """Trigger calls sent together, each ``(token, payload)``: every one reaches the app in
    the same turn of its event loop, as calls arriving together on a server's connections do."""
    asgi = httpx.ASGITransport(app=app.app, client=("127.0.0.1", 12345))

    async def one(token: str, payload: Any) -> httpx.Response:
        async with httpx.AsyncClient(transport=asgi, base_url="http://127.0.0.1") as client:
            return await client.post(
                PATH, json=payload, headers={"app-token": token, "Accept": "application/json"}
            )

    async def every() -> list[httpx.Response]:
        return list(await asyncio.gather(*(one(token, payload) for token, payload in calls)))

    return app.portal.call(every)


def at_once(app: InProcessApp, token: str, payloads: list[Any]) -> list[httpx.Response]:
    """``at_once_by``, every call on ``token``."""
    return at_once_by(app, [(token, payload) for payload in payloads])


def serving_engine(app: InProcessApp) -> Engine:
    """The engine the app's requests write through."""
    state: AppState = app.app.state.playrunner
    return state.database.serving_engine


def at_once_watched(
    app: InProcessApp, token: str, payloads: list[Any], **listeners: Callable[..., None]
) -> tuple[list[httpx.Response], list[str]]:
    """``at_once``, with these events of the app's engine listened to; also every statement
    the engine sent meanwhile."""
    engine = serving_engine(app)
    for name, listener in listeners.items():
        event.listen(engine, name, listener)
    try:
        with recorded_statements(engine) as statements:
            answers = at_once(app, token, payloads)
    finally:
        for name, listener in listeners.items():
            event.remove(engine, name, listener)
    return answers, statements


def two_calls_watched(
    app: InProcessApp, world: ServiceWorld, factory: Factory, **listeners: Callable[..., None]
) -> tuple[list[str], list[httpx.Response], list[str]]:
    """The world's play triggered on ``acme`` and on a new account at once (``at_once_watched``,
    these events listened to): the two accounts, the answers, the statements sent."""
    accounts = ["acme", factory.account(world.tenant).account_id]
    answers, statements = at_once_watched(
        app, world.admin_token, [body(world.play, a) for a in accounts], **listeners
    )
    return accounts, answers, statements


def account_of_each_run(database: Database) -> dict[str, str]:
    """Each stored run's id: the id of its account."""
    with database.session(read_only=True) as session:
        rows = session.execute(
            select(Run.id, Account.account_id).join(Account, Account.id == Run.account_id)
        )
        return {str(run_id): account_id for run_id, account_id in rows}


def run_inserts(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith("INSERT INTO RUNS")]


def test_calls_that_arrive_together_are_written_as_one_batch_each_with_its_own_run(
    in_process: InProcessApp, world: ServiceWorld, factory: Factory, database: Database
) -> None:
    accounts = ["acme"] + [factory.account(world.tenant).account_id for _ in range(4)]
    answers, statements = at_once_watched(
        in_process, world.admin_token, [body(world.play, a) for a in accounts]
    )

    assert [a.status_code for a in answers] == [200] * 5, [a.text for a in answers]
    assert len(run_inserts(statements)) == 1  # one INSERT for the five runs
    results = [a.json() for a in answers]
    assert [a.headers["x-run-id"] for a in answers] == [r["runId"] for r in results]
    assert len({r["runId"] for r in results}) == 5
    assert account_of_each_run(database) == {
        result["runId"]: account_id for account_id, result in zip(accounts, results, strict=True)
    }
    with database.session(read_only=True) as session:
        for result in results:
            run = session.get(Run, uuid.UUID(result["runId"]))
            assert run is not None
            assert run.status is RunStatus.COMPLETED
            tasks = session.scalars(select(Task).where(Task.run_id == run.id)).all()
            assert [str(t.id) for t in tasks] == result["taskIds"]
            account = session.get(Account, run.account_id)
            assert account is not None
            assert tasks[0].title == f"Follow up with {account.name}"


@pytest.fixture
def batches(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The account ids of every batch the app runs (``service.trigger_together``'s calls)."""
    seen: list[list[str]] = []
    together = service.trigger_together

    def spied(session: Any, runners: Any, play: str, accounts: list[str], source: Any) -> Any:
        seen.append(list(accounts))
        return together(session, runners, play, accounts, source)

    monkeypatch.setattr(service, "trigger_together", spied)
    return seen


def test_a_bad_call_among_them_gets_its_own_error_and_fails_no_other(
    in_process: InProcessApp,
    world: ServiceWorld,
    factory: Factory,
    database: Database,
    batches: list[list[str]],
) -> None:
    other = factory.account(world.tenant).account_id
    answers = at_once(
        in_process,
        world.admin_token,
        [body(world.play, "acme"), body(world.play, "nobody"), body(world.play, other)],
    )

    assert batches == [["acme", "nobody", other]]  # tried together, then each alone
    assert [a.status_code for a in answers] == [200, 400, 200]
    assert answers[1].json()["detail"] == "Account not found"
    assert sorted(account_of_each_run(database).values()) == sorted(["acme", other])


def test_skip_if_open_skips_a_later_call_on_the_same_account_as_it_would_a_moment_later(
    in_process: InProcessApp, world: ServiceWorld, factory: Factory, database: Database
) -> None:
    play = factory.play(world.tenant, task_play(duplicate_policy="skip_if_open"))
    other = factory.account(world.tenant).account_id
    first, again, elsewhere = at_once(
        in_process,
        world.admin_token,
        [body(play, "acme"), body(play, "acme"), body(play, other)],
    )

    assert [a.status_code for a in (first, again, elsewhere)] == [200, 200, 200]
    assert "x-skipped" not in first.headers
    assert "x-skipped" not in elsewhere.headers
    assert again.headers["x-skipped"] == "true"
    assert again.json() == {
        "status": "Success",
        "runId": first.json()["runId"],
        "taskIds": [],
        "formRequestIds": [],
        "skipped": True,
    }
    with database.session(read_only=True) as session:
        statuses = sorted(run.status.value for run in session.scalars(select(Run)))
        tasks = session.scalars(select(Task)).all()
    assert statuses == sorted(["completed", "skipped", "completed"])
    assert len(tasks) == 2


def test_when_the_batch_cannot_be_written_each_call_runs_alone(
    in_process: InProcessApp, world: ServiceWorld, factory: Factory, database: Database
) -> None:
    refused: list[str] = []

    def refuse_the_batch(
        _connection: Any, _cursor: Any, statement: str, _params: Any, _context: Any, many: bool
    ) -> None:
        if run_inserts([statement]) and many and not refused:  # the runs of two calls or more
            refused.append(statement)
            raise RuntimeError("the batch's INSERT refused by the test")

    accounts, answers, statements = two_calls_watched(
        in_process, world, factory, before_cursor_execute=refuse_the_batch
    )

    assert refused, "the test never saw the batch's INSERT"
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    assert len(refused) == 1
    assert len(run_inserts(statements)) == 2  # after the refused batch's: one per call
    # Nothing of the refused batch was kept.
    assert sorted(account_of_each_run(database).values()) == sorted(accounts)


def test_a_play_refused_for_every_call_answers_each_with_the_single_calls_words(
    in_process: InProcessApp, world: ServiceWorld, database: Database, batches: list[list[str]]
) -> None:
    answers = at_once(
        in_process, world.admin_token, [body(world.inactive_play, "acme") for _ in range(3)]
    )

    assert batches == [["acme"] * 3]
    assert [a.status_code for a in answers] == [400] * 3
    assert {a.json()["detail"] for a in answers} == {"SuccessPlay not found"}
    with database.session(read_only=True) as session:
        assert session.scalars(select(Run)).all() == []


@pytest.mark.sqlite_only  # the COMMIT shared by the requests of a turn is SQLite's
def test_a_failed_commit_fails_every_call_of_the_batch_and_no_call_runs_again(
    in_process: InProcessApp, world: ServiceWorld, factory: Factory, database: Database
) -> None:
    failed: list[bool] = []
    wrote: list[bool] = []

    def note_the_batch(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if run_inserts([statement]):
            wrote.append(True)

    def fail_its_commit(_connection: Any) -> None:
        if wrote and not failed:  # the group commit's, not a read's
            failed.append(True)
            raise RuntimeError("the COMMIT refused by the test")

    _, answers, statements = two_calls_watched(
        in_process, world, factory, before_cursor_execute=note_the_batch, commit=fail_its_commit
    )

    assert failed
    assert [a.status_code for a in answers] == [500, 500]
    assert len(run_inserts(statements)) == 1  # written once, as one batch, and not again
    with database.session(read_only=True) as session:
        assert session.scalars(select(Run)).all() == []


def test_calls_by_several_callers_run_together_each_run_its_callers(
    in_process: InProcessApp, world: ServiceWorld, factory: Factory, database: Database
) -> None:
    # An account with no Success Manager: each call's task falls back to its caller.
    lone = factory.account(world.tenant).account_id
    second = factory.admin(world.tenant)
    second_token = factory.token(second)
    with recorded_statements(serving_engine(in_process)) as statements:
        answers = at_once_by(
            in_process,
            [
                (world.admin_token, body(world.play, lone)),
                (second_token, body(world.play, lone)),
                (second_token, body(world.play, "acme")),
            ],
        )

    assert [a.status_code for a in answers] == [200, 200, 200], [a.text for a in answers]
    assert len(run_inserts(statements)) == 1
    callers = [world.admin, second, second]
    with database.session(read_only=True) as session:
        for answer, caller in zip(answers, callers, strict=True):
            run = session.get(Run, uuid.UUID(answer.json()["runId"]))
            assert run is not None
            assert run.user_id == caller.id
            token = session.get(AccessToken, run.token_id)
            assert token is not None
            assert token.user_id == caller.id
            (task,) = session.scalars(select(Task).where(Task.run_id == run.id)).all()
            assert task.description.endswith(f"by {caller.name}")
        tasks = {
            str(t.run_id): t
            for t in session.scalars(select(Task).where(Task.assignee_fallback.is_not(None)))
        }
    first, by_second = (tasks[a.json()["runId"]] for a in answers[:2])
    assert (first.assignee_user_id, by_second.assignee_user_id) == (world.admin.id, second.id)
    assert first.assignee_fallback is not None
    assert first.assignee_fallback.endswith(f"assigned to {world.admin.email}")
    assert by_second.assignee_fallback is not None
    assert by_second.assignee_fallback.endswith(f"assigned to {second.email}")


def test_a_batch_with_a_caller_who_may_not_run_plays_is_refused_whole(
    world: ServiceWorld, factory: Factory, database: Database
) -> None:
    callers = [factory.principal(world.admin), factory.principal(world.user)]
    with pytest.raises(PermissionDenied), database.session() as session:
        service.trigger_together(
            session, callers, str(world.play.id), ["acme", "acme"], RunSource.API
        )
    assert account_of_each_run(database) == {}


def app_turns(app: InProcessApp) -> turns.TriggersPerTurn:
    state: AppState = app.app.state.playrunner
    return turns.of(state.database)


def test_a_batch_waits_for_a_trigger_call_on_its_way_and_takes_it_in(
    in_process: InProcessApp,
    world: ServiceWorld,
    factory: Factory,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(turns, "MOST_WAIT", 60.0)  # only the turns bound the wait here
    batches = app_turns(in_process)
    runner = factory.principal(world.admin)
    other = factory.account(world.tenant).account_id

    async def scenario() -> tuple[bool, list[Answer]]:
        with batches.call() as late:  # received, its body still being read, say
            first = asyncio.ensure_future(
                batches.trigger(runner, Trigger(str(world.play.id), "acme"))
            )
            for _ in range(turns.MOST_TURNS // 2):
                await asyncio.sleep(0)
            waited = not first.done()
            second = await late.trigger(runner, Trigger(str(world.play.id), other))
        return waited, [await first, second]

    with recorded_statements(serving_engine(in_process)) as statements:
        waited, answers = in_process.portal.call(scenario)

    assert waited
    assert len(run_inserts(statements)) == 1  # the late call joined the first one's batch
    assert account_of_each_run(database) == {
        answers[0].body["runId"]: "acme",
        answers[1].body["runId"]: other,
    }


def test_a_call_that_never_arrives_holds_a_batch_back_only_so_long(
    in_process: InProcessApp,
    world: ServiceWorld,
    factory: Factory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    batches = app_turns(in_process)
    runner = factory.principal(world.admin)

    async def held_back() -> Answer:
        with batches.call():  # a call that stays on its way (a client that never sends)
            return await asyncio.wait_for(
                batches.trigger(runner, Trigger(str(world.play.id), "acme")), timeout=10
            )

    # Bound by turns of the event loop, then by time.
    monkeypatch.setattr(turns, "MOST_WAIT", 60.0)
    assert in_process.portal.call(held_back).status_code == 200
    monkeypatch.setattr(turns, "MOST_WAIT", 0.01)
    monkeypatch.setattr(turns, "MOST_TURNS", 10**9)
    assert in_process.portal.call(held_back).status_code == 200


def test_every_way_a_trigger_call_ends_leaves_nothing_on_its_way(
    in_process: InProcessApp, world: ServiceWorld
) -> None:
    http = in_process.client()
    calls = [
        trigger(http, "not-a-token", body(world.play, "acme")),
        trigger(http, world.admin_token, None, raw=b"{not json"),
        trigger(http, world.admin_token, body(world.play, "nobody")),
        http.post(
            PATH + "?dryRun=true",
            json=body(world.play, "acme"),
            headers={"app-token": world.admin_token},
        ),
        http.post(
            PATH,
            json=body(world.play, "acme"),
            headers={"app-token": world.admin_token, "Idempotency-Key": "once"},
        ),
        trigger(http, world.admin_token, body(world.play, "acme")),
    ]

    assert [c.status_code for c in calls] == [401, 400, 400, 200, 200, 200]
    assert app_turns(in_process).on_the_way == 0


def test_a_call_for_another_services_play_is_not_in_the_batch_and_finds_no_play(
    in_process: InProcessApp, world: ServiceWorld, factory: Factory, database: Database
) -> None:
    stranger = factory.token(factory.admin(factory.tenant()))
    answers = at_once_by(
        in_process,
        [
            (world.admin_token, body(world.play, "acme")),
            (stranger, body(world.play, "acme")),
            (world.admin_token, body(world.play, "acme")),
        ],
    )

    assert [a.status_code for a in answers] == [200, 400, 200]
    assert answers[1].json()["detail"] == "SuccessPlay not found"
    assert sorted(account_of_each_run(database)) == sorted(
        answers[n].json()["runId"] for n in (0, 2)
    )


def test_a_call_whose_client_went_away_before_its_batch_ran_is_not_run(
    in_process: InProcessApp, world: ServiceWorld, factory: Factory, database: Database
) -> None:
    batches = app_turns(in_process)
    runner = factory.principal(world.admin)
    other = factory.account(world.tenant).account_id

    async def scenario() -> Answer:
        gone = asyncio.ensure_future(batches.trigger(runner, Trigger(str(world.play.id), other)))
        stays = asyncio.ensure_future(batches.trigger(runner, Trigger(str(world.play.id), "acme")))
        await asyncio.sleep(0)  # both joined the turn's batch
        gone.cancel()
        return await stays

    answer = in_process.portal.call(scenario)

    assert account_of_each_run(database) == {answer.body["runId"]: "acme"}
