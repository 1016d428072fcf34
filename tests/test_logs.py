"""Repeated log lines are summarised: the first passes, the rest are counted, and the first
after the window says how many were held back."""

from __future__ import annotations

import logging
import sys

import pytest

from playrunner.logs import RepeatSummary


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def record(msg: str, *args: object, name: str = "playrunner") -> logging.LogRecord:
    return logging.LogRecord(name, logging.ERROR, __file__, 1, msg, args, None)


def test_repeats_within_the_window_are_held_and_counted_in_the_next_line() -> None:
    clock = Clock()
    summary = RepeatSummary(window=10, clock=clock)
    first = record("database error on %s %s: %s", "POST", "/a", "down")
    assert summary.filter(first)
    assert first.getMessage() == "database error on POST /a: down"
    for n in range(2793):
        clock.now += 0.001
        assert not summary.filter(record("database error on %s %s: %s", "GET", f"/{n}", "down"))
    clock.now = 1011.0
    later = record("database error on %s %s: %s", "GET", "/b", "down")
    assert summary.filter(later)
    assert later.getMessage() == (
        "database error on GET /b: down (and 2,793 more like it in the last 11 s)"
    )
    clock.now += 10
    quiet = record("database error on %s %s: %s", "GET", "/c", "down")
    assert summary.filter(quiet)
    assert quiet.getMessage() == "database error on GET /c: down"


@pytest.mark.parametrize(
    "other",
    [
        record("concurrent change on %s %s: %s", "GET", "/a", "x"),
        record("database error on %s %s: %s", "GET", "/a", "x", name="playrunner.db"),
    ],
)
def test_lines_of_another_kind_pass(other: logging.LogRecord) -> None:
    summary = RepeatSummary(window=10, clock=Clock())
    assert summary.filter(record("database error on %s %s: %s", "GET", "/a", "x"))
    assert summary.filter(other)


def test_a_bug_is_never_held_back() -> None:
    summary = RepeatSummary(window=10, clock=Clock())
    for _ in range(3):
        try:
            raise ValueError("boom")
        except ValueError:
            bug = logging.LogRecord(
                "playrunner", logging.ERROR, __file__, 1, "unhandled error", (), sys.exc_info()
            )
        assert summary.filter(bug)
