"""The trigger call beside the shared measuring stick (issue 16), in one run.

``../shared/reference/trigger-path-anchor/run`` (or ``$ANCHOR_SCRIPT``) starts a bare ASGI app
and a ~100-line anchor of the whole trigger path, and measures them, and a Playrunner server
given to it, with ``wrk -t1 -c32`` for two rounds. This starts Playrunner (SQLite, one
process, the demo data, the default durable commits) for it, and reports the rows. The
script is not Playrunner's and is not copied here; without it, this says so and stops.

Playrunner's rate limit is raised for the run: the script sends one token, and Totango's
100 calls a minute would answer most of them 429. (The anchor's SQLite commits with
``synchronous=NORMAL``, not durable across a power loss; Playrunner's with ``FULL``.)
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path

from benchmarks.run import PORT, RESULTS, environment, playrunner, publish, seed

SCRIPT = Path(
    os.environ.get(
        "ANCHOR_SCRIPT",
        Path(__file__).resolve().parents[2] / "shared/reference/trigger-path-anchor/run",
    )
)
LINE = re.compile(r"^(\w+)\s+round (\d+)\s+([\d.]+) req/s\s+p99 (\S+)")


def measure() -> str:
    with tempfile.TemporaryDirectory(prefix="playrunner-anchor-") as tmp:
        workdir = Path(tmp)
        url = f"sqlite:///{workdir / 'bench.db'}"
        workload = seed(url, workdir, "sqlite")
        env = environment(PLAYRUNNER_DATABASE_URL=url, PLAYRUNNER_RATE_LIMIT="100000000/minute")
        server = playrunner(1, env, workdir / "server.log")
        token = workload.tokens_file.read_text().split()[0]
        account = workload.accounts.split(",")[0]
        try:
            output = subprocess.run(
                [str(SCRIPT), f"http://127.0.0.1:{PORT}", token, workload.play_id, account],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, "VENV": str(Path(".venv").resolve())},
            ).stdout
        finally:
            server.stop()
    return render(output)


def render(output: str) -> str:
    rows = [match.groups() for line in output.splitlines() if (match := LINE.match(line))]
    bare = {round_: float(rps) for name, round_, rps, _ in rows if name == "bare"}
    lines = [
        "The trigger call beside the shared anchor (wrk -t1 -c32, 5 s each, one run, two"
        " rounds; Playrunner: SQLite, one process, durable commits):",
        "",
        "| server | round | requests/s | p99 | x bare |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, round_, rps, p99 in rows:
        lines.append(
            f"| {name} | {round_} | {float(rps):,.0f} | {p99} | {float(rps) / bare[round_]:.3f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    if not SCRIPT.exists():
        print(f"No anchor script at {SCRIPT} (set ANCHOR_SCRIPT): nothing measured.")
        return
    RESULTS.mkdir(exist_ok=True)
    publish(measure(), "anchor.md")


if __name__ == "__main__":
    main()
