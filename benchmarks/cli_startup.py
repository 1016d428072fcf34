"""``make bench-cli``: how long ``playrunner`` commands take to start, as a ratio of the time
Python itself takes to start (``python -c pass``) measured in the same run.

Each command runs as a new process, as a person or a script runs it, ``--repeats`` times after
one warm-up; the table shows the median and the slowest. The database commands run on a demo
SQLite database made for the run; the client command sends to a closed port, so it measures
everything up to the connection. Prints a Markdown table and writes it to
benchmarks/results/cli-startup.md.

``--compare SRC`` also measures another version of the code with the same interpreter and
packages, its runs taking turns with this version's so both see the same load
(``git archive <commit> src | tar -x -C /tmp/old``, then ``make bench-cli
BENCH_ARGS="--compare /tmp/old/src"``): every command runs as ``python -m playrunner``, which
finds the compared code first through PYTHONPATH.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
BASELINE = "python -c pass"


@dataclass
class Timing:
    label: str
    median_s: float
    slowest_s: float


def measure(
    label: str, argv: list[str], envs: dict[str, dict[str, str]], repeats: int
) -> dict[str, Timing]:
    """``argv`` timed in each environment (the code measured, by name), the runs taking turns
    so that both see the same machine."""

    def once(env: dict[str, str]) -> float:
        started = time.perf_counter()
        subprocess.run(argv, env=env, capture_output=True, check=False, timeout=120)
        return time.perf_counter() - started

    for env in envs.values():
        once(env)  # warm the file system cache and the .pyc files
    seconds: dict[str, list[float]] = {name: [] for name in envs}
    for _ in range(repeats):
        for name, env in envs.items():
            seconds[name].append(once(env))
    return {
        name: Timing(label, statistics.median(runs), max(runs)) for name, runs in seconds.items()
    }


def commands(closed_port: int) -> list[tuple[str, list[str]]]:
    """(label, arguments of ``playrunner``) for what is measured."""
    return [
        ("playrunner --help", ["--help"]),
        ("playrunner tasks --help", ["tasks", "--help"]),
        ("playrunner trigger --help", ["trigger", "--help"]),
        (
            "playrunner trigger --account ... (client, up to the connection)",
            [
                *("trigger", "--play", "4d7d9762-96f7-5cb4-b024-07c73853213b"),
                *("--account", "acme", "--token", "prpat_x"),
                *("--base-url", f"http://127.0.0.1:{closed_port}"),
            ],
        ),
        ("playrunner users list (SQLite)", ["users", "list"]),
        ("playrunner tasks list (SQLite)", ["tasks", "list"]),
        ("playrunner plays list (SQLite)", ["plays", "list"]),
    ]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # nothing listens on it once the probe is closed


def table(timings: dict[str, list[Timing]]) -> str:
    names = list(timings)
    header = " | ".join(
        f"{name}: median ms | {name}: slowest ms | {name}: vs `{BASELINE}`" for name in names
    )
    lines = [f"| command | {header} |", "|---|" + "---:|---:|---:|" * len(names)]
    for row in zip(*timings.values(), strict=True):
        cells = []
        for name, timing in zip(names, row, strict=True):
            baseline = timings[name][0].median_s
            cells.append(
                f"{timing.median_s * 1000:,.0f} | {timing.slowest_s * 1000:,.0f}"
                f" | {timing.median_s / baseline:.1f}x"
            )
        lines.append(f"| {row[0].label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=10, help="runs of each command")
    parser.add_argument(
        "--compare",
        type=Path,
        metavar="SRC",
        help="also measure the code in SRC (another version's src directory), runs taking turns",
    )
    args = parser.parse_args()

    python = sys.executable
    with tempfile.TemporaryDirectory() as scratch:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PLAYRUNNER_")}
        env.update(PLAYRUNNER_DATABASE_URL=f"sqlite:///{Path(scratch) / 'bench.db'}", COLUMNS="120")
        seeded = subprocess.run(
            [python, "-m", "playrunner", "demo", "--json"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if seeded.returncode != 0:
            raise SystemExit(f"playrunner demo failed:\n{seeded.stderr}")
        envs = {"this": env}
        if args.compare is not None:
            envs["compared"] = {**env, "PYTHONPATH": str(args.compare.resolve())}
        measured = [measure(BASELINE, [python, "-c", "pass"], envs, args.repeats)]
        for label, arguments in commands(closed_port()):
            playrunner = [python, "-m", "playrunner", *arguments]
            measured.append(measure(label, playrunner, envs, args.repeats))
    report = table({name: [timings[name] for timings in measured] for name in envs})
    print(report)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "cli-startup.md").write_text(report + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
