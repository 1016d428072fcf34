"""Playrunner's log lines: one line per event, and repeats summarised.

During an outage every call fails the same way; a line per call (thousands a second) buries
everything else. ``RepeatSummary`` lets the first line of a kind through, counts the ones like
it for ``window`` seconds, and the first one after the window says how many were held back:
``... (and 2,793 more like it in the last 10 s)``. Lines are alike when they come from the same
logger, at the same level, from the same format string (the same place in the code), whatever
their arguments (the path, the account, the error's text).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

LOGGERS = ("playrunner", "playrunner.db", "playrunner.ratelimit", "playrunner.webhooks")
WINDOW_SECONDS = 10.0


class RepeatSummary(logging.Filter):
    def __init__(
        self, window: float = WINDOW_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self.window = window
        self.clock = clock
        self._lock = threading.Lock()
        # kind -> (when its window opened, lines held back since)
        self._windows: dict[tuple[str, int, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:  # a bug: every one is logged, with its traceback
            return True
        kind = (record.name, record.levelno, str(record.msg))
        now = self.clock()
        with self._lock:
            opened, held = self._windows.get(kind, (now - self.window, 0))
            if now - opened < self.window:
                self._windows[kind] = (opened, held + 1)
                return False
            self._windows[kind] = (now, 0)
        if held:
            record.msg = (
                f"{record.getMessage()} (and {held:,} more like it in the last"
                f" {now - opened:.0f} s)"
            )
            record.args = None
        return True


def summarise_repeats(window: float = WINDOW_SECONDS) -> RepeatSummary:
    """Summarise repeated lines on Playrunner's loggers, from now on (an app calls this when
    it is made; a second app in the process starts the windows afresh)."""
    summary = RepeatSummary(window)
    for name in LOGGERS:
        logger = logging.getLogger(name)
        for old in [f for f in logger.filters if isinstance(f, RepeatSummary)]:
            logger.removeFilter(old)
        logger.addFilter(summary)
    return summary
