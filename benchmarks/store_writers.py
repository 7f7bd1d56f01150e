"""Benchmark: review decisions per second with 1, 4 and 16 writer processes, on each adapter.

Each writer is its own process (as a kernel or a job runner would be): it opens the store,
says it is ready, waits for the start signal, then records its decisions one by one
through `record_decision` (each its own transaction, chained to the last). The time is
from the start signal to the last writer's exit. After each round the log is read back:
every decision must be there, in one chain that verifies.

PostgreSQL: a throw-away server (`tests/pgcluster.py`, fsync off as in the tests), or
the server at `--postgres URL` (a role that may create databases).

    .venv/bin/python benchmarks/store_writers.py [--writers 1 4 16] [--decisions 200]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import pgcluster  # noqa: E402
from workbench.models import Answer, Run  # noqa: E402
from workbench.review.decisions import verify_log  # noqa: E402
from workbench.workspace import Workspace  # noqa: E402

ANSWERS = 50

WRITER = """
import sys
from workbench.models import Decision
from workbench.review.decisions import record_decision
from workbench.workspace import Workspace

location, who, n, answers = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with Workspace.resolve(store=location).open_store() as store:
    print("ready", flush=True)
    sys.stdin.readline()
    for i in range(n):
        record_decision(store, f"a-{(i * 7 + len(who)) % answers}", Decision.REJECT,
                        reviewer=who, reason=f"{who} {i}")
"""


def _seed(location: str) -> None:
    with Workspace.resolve(store=location).open_store(create=True) as store:
        store.ensure_run(Run("r", "p@v1", "offline", "m", "bench"))
        for i in range(ANSWERS):
            store.add_answer(
                Answer(f"a-{i}", "r", f"q{i}", "p@v1", "offline", "m", f"T{i}.", (), ())
            )


def one_round(location: str, writers: int, decisions: int) -> tuple[float, int, bool]:
    """Wall time, decisions in the log, and whether the chain verifies."""
    _seed(location)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, location, f"w{w}", str(decisions), str(ANSWERS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for w in range(writers)
    ]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    start = time.perf_counter()
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    for p in procs:
        if p.wait(timeout=1800) != 0:
            raise SystemExit(f"a writer failed (exit {p.returncode})")
    elapsed = time.perf_counter() - start
    with Workspace.resolve(store=location).open_store() as store:
        check = verify_log(store)
        count = len(store.decisions())
    return elapsed, count, check.ok and check.count == count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--decisions", type=int, default=200, help="per writer")
    parser.add_argument("--adapters", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--postgres", help="use this server instead of a throw-away one")
    args = parser.parse_args()
    cluster = None
    if "postgresql" in args.adapters:
        cluster = pgcluster.Cluster(args.postgres) if args.postgres else pgcluster.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for adapter in args.adapters:
                for n, writers in enumerate(args.writers):
                    if adapter == "sqlite":
                        location = str(Path(tmp) / f"writers-{n}.db")
                    else:
                        assert cluster is not None
                        location = cluster.create_database("bench")
                    elapsed, count, ok = one_round(location, writers, args.decisions)
                    expected = writers * args.decisions
                    print(
                        f"{adapter:10s} {writers:2d} writers x {args.decisions} decisions: "
                        f"{count} in the log (expected {expected}), chain "
                        f"{'verifies' if ok else 'BROKEN'}, {elapsed:6.1f} s, "
                        f"{count / elapsed:7.1f} decisions/s",
                        flush=True,
                    )
                    if count != expected or not ok:
                        raise SystemExit("decisions lost or the chain is broken")
    finally:
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    main()
