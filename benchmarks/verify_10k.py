"""What checking the record costs on a big store: `verify` and the guard every export runs.

Builds a store of `--answers` answers as `report_10k` does, records `--decisions`
approvals and rejections on it under a log key (each bound to its answer's question,
prompt version, run and cited excerpts), then times, each `--repeat` times (best kept):

- `verify_log` with pages: the integrity check, the chain, the MACs and every decision
  recomputed against the answers table (what `workbench verify` runs);
- `publishable_log`: the same without the full page check (what `export` and `report`
  run before they write);
- `export_approved`: the guard, the selection (each approved answer re-checked against
  its approval and its excerpts' versions) and the files.

    .venv/bin/python benchmarks/verify_10k.py [--answers 10000] [--decisions 2000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report_10k import build

from workbench.errors import ReviewError
from workbench.models import Decision
from workbench.review.decisions import record_decision, verify_log
from workbench.runs.guards import publishable_log
from workbench.runs.options import ExportOptions
from workbench.runs.publish import export_approved
from workbench.store import SQLiteStore
from workbench.workspace import Workspace

KEY = b"benchmark-key-" * 4


def _best(what: str, repeat: int, work: Callable[[], object]) -> None:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    print(f"{what}: best {min(times):.3f} s of {repeat}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--decisions", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ["WORKBENCH_LOG_KEY"] = KEY.decode()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.db"
        build(path, args.answers)
        ws = Workspace.resolve(store=path)
        corpus = ws.corpus
        with SQLiteStore(path, log_key=KEY) as store:
            answers = [a for a in store.answers() if a.parent_id is None]
            started = time.perf_counter()
            for n, a in enumerate(answers[: args.decisions]):
                verdict = Decision.APPROVE if n % 3 else Decision.REJECT
                try:
                    record_decision(
                        store, a.id, verdict, reviewer="bench", reason="r", excerpts=corpus.excerpts
                    )
                except ReviewError:  # a fail finding needs an override: not this one
                    continue
            made = store.last_decision_seq()
            print(
                f"{len(answers)} answers; {made} decisions recorded in "
                f"{time.perf_counter() - started:.1f} s"
            )
        with SQLiteStore(path, read_only=True, log_key=KEY) as store:
            _best("verify (pages, chain, MACs, answers)", args.repeat,
                  lambda: verify_log(store, key=KEY, pages=True))  # fmt: skip
            _best("publishable_log (the export's guard)", args.repeat,
                  lambda: publishable_log(store, "export"))  # fmt: skip
        out = Path(tmp) / "export"
        _best("export --approved (guard, selection, files)", args.repeat,
              lambda: export_approved(ExportOptions(ws, out, approved=True)))  # fmt: skip


if __name__ == "__main__":
    main()
