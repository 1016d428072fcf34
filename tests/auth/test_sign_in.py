"""The sign-in rules every sign-in form shares: argon2 is slow on purpose, so a process runs
one check at a time and a flood of sign-ins queues instead of taking every core."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from playrunner.auth import sign_in
from playrunner.users import passwords


def test_password_checks_run_one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    lock = threading.Lock()
    running = most = 0

    def verify(password_hash: str | None, password: str) -> bool:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.02)  # let the other threads try to overlap
        with lock:
            running -= 1
        return False

    monkeypatch.setattr(passwords, "verify_password", verify)
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda _: sign_in.check_password(None, "guess"), range(6)))

    assert results == [False] * 6
    assert most == 1
