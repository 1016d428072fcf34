"""Playrunner servers in their own processes, as users and CI run them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TypeVar

STARTUP_TIMEOUT_SECONDS = 60
T = TypeVar("T")


def seconds_until(call: Callable[[], T], done: Callable[[T], bool], limit: float) -> float:
    """Call until ``done`` says so of what it gave; how long that took (failing past
    ``limit`` seconds, with the last thing it gave). For what another process must see
    within a time: a cache's expiry."""
    started = time.monotonic()
    while not done(seen := call()):
        waited = time.monotonic() - started
        assert waited < limit, f"still {seen!r} after {waited:.1f} s"
        time.sleep(0.05)
    return time.monotonic() - started


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def clean_environment(**settings: str) -> dict[str, str]:
    """This environment without any PLAYRUNNER_ setting, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLAYRUNNER_")}
    env.update(PYTHONUNBUFFERED="1", COLUMNS="250")
    env.update(settings)
    return env


class ServerProcess:
    """``python -m playrunner serve ...``; entering waits for every worker to be up."""

    def __init__(
        self,
        args: list[str],
        env: dict[str, str],
        cwd: Path,
        workers: int = 1,
        port: int | None = None,
    ) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "playrunner",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
                *args,
            ],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output: list[str] = []

    def __enter__(self) -> ServerProcess:
        self.wait_until_started()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    @property
    def printed(self) -> str:
        return "".join(self.output)

    def wait_until_started(self) -> None:
        """Read the server's output until each worker says Playrunner is ready, then until the
        socket accepts: Granian's workers listen a moment after the app's startup has run, so
        on a busy machine a client could still be refused in between."""
        assert self.process.stdout is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        started = 0
        for line in self.process.stdout:
            self.output.append(line)
            started += "Playrunner is ready" in line
            if started == self.workers:
                self._wait_until_accepting(deadline)
                return
            if time.monotonic() > deadline:
                break
        raise AssertionError("server did not start:\n" + self.printed)

    def _wait_until_accepting(self, deadline: float) -> None:
        """Granian's workers listen a moment after the app's startup has run."""
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except ConnectionRefusedError:
                if time.monotonic() > deadline:
                    raise AssertionError("server never accepted:\n" + self.printed) from None
                time.sleep(0.02)


def run_example(script: str, tmp_path: Path) -> str:
    """``examples/<script>`` run as a new user runs it (its own SQLite database and port under
    ``tmp_path``); its output, once it has succeeded."""
    repository = Path(__file__).resolve().parents[1]
    env = clean_environment(
        PLAYRUNNER_DATABASE_URL=f"sqlite:///{tmp_path / 'example.db'}",
        PLAYRUNNER=str(Path(sys.executable).parent / "playrunner"),
        PORT=str(free_port()),
        SERVER_LOG=str(tmp_path / "server.log"),
    )
    done = subprocess.run(
        ["bash", str(repository / "examples" / script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout
