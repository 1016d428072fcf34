"""What every gathering of a turn's work shares (``per_turn.PerTurn``): items by key, run
together at most ``MOST_ITEMS`` at a time, and no request left without an answer."""

from __future__ import annotations

import asyncio

import pytest

from playrunner.per_turn import Batch, PerTurn, settle


class Doubling(PerTurn[str, int, int]):
    MOST_ITEMS = 3

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[tuple[str, list[int]]] = []

    async def run(self, key: str, batch: Batch[int, int]) -> None:
        self.batches.append((key, [item for item, _ in batch]))
        for item, future in batch:
            settle(future, ValueError(item) if item < 0 else 2 * item)


def test_a_turns_items_run_together_by_key_a_few_at_a_time() -> None:
    doubling = Doubling()

    async def turn() -> list[object]:
        items = [("a", 1), ("b", 2), ("a", 3), ("a", -4), ("a", 5)]
        calls = (doubling.submit(key, item) for key, item in items)
        return list(await asyncio.gather(*calls, return_exceptions=True))

    answers = asyncio.run(turn())

    assert answers[:3] == [2, 4, 6]
    assert isinstance(answers[3], ValueError)
    assert answers[4] == 10
    assert sorted(doubling.batches) == [("a", [1, 3, -4]), ("a", [5]), ("b", [2])]


class Forgetful(PerTurn[str, int, int]):
    async def run(self, key: str, batch: Batch[int, int]) -> None:
        if key == "stuck":
            await asyncio.sleep(3600)
        # "silent": returns without answering anyone


@pytest.mark.parametrize("key", ["silent", "stuck"])
def test_a_batch_that_ends_without_answering_still_answers_every_request(key: str) -> None:
    forgetful = Forgetful()

    async def turn() -> list[object]:
        waiting = asyncio.gather(
            *(forgetful.submit(key, n) for n in range(3)), return_exceptions=True
        )
        await asyncio.sleep(0.01)
        for task in list(forgetful._running):  # the server stopping cancels its tasks
            task.cancel()
        return list(await asyncio.wait_for(waiting, timeout=5))

    answers = asyncio.run(turn())

    assert all(isinstance(a, RuntimeError) for a in answers)
    assert {str(a) for a in answers} == {"the batch ended without an answer"}
