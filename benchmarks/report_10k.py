"""Report writing time over a store of 10,000 scored answers.

Builds the store once (the demo's 122 answers and their evaluations, copied into runs
until there are 10,000 answers), then times `write_report`: the evaluation frame, the
summary with bootstrap intervals, the comparisons, the HTML and the CSV/JSON files; and
the page check (`PRAGMA quick_check`) that `workbench report`, `export` and `runs` run when
they open the store.

    .venv/bin/python benchmarks/report_10k.py [--answers 10000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from workbench.data.datasets import load_corpus
from workbench.reports.assemble import write_report
from workbench.runs.demo import run_demo
from workbench.store import Store


def build(path: Path, total: int) -> None:
    demo = run_demo(path.parent / "demo", progress=False)
    with Store(demo.store_path) as source, Store(path) as store:
        answers, evaluations = source.answers(), {e.answer_id: e for e in source.evaluations()}
        copies = -(-total // len(answers))
        made = 0
        for n in range(copies):
            for run in source.runs():
                store.ensure_run(replace(run, id=f"{run.id}#{n}"))
            for a in answers:
                if made == total:
                    return
                new = replace(a, id=f"{a.id}#{n}", run_id=f"{a.run_id}#{n}")
                store.add_answer(new)
                store.add_evaluation(replace(evaluations[a.id], answer_id=new.id))
                made += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=10_000)
    args = parser.parse_args()
    corpus = load_corpus()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.db"
        build(path, args.answers)
        started = time.perf_counter()
        Store(path, read_only=True, check_pages=True).close()
        check = time.perf_counter() - started
        db = path.stat().st_size / 1e6
        with Store(path) as store:
            started = time.perf_counter()
            paths, frame = write_report(store, corpus, Path(tmp) / "out")
            took = time.perf_counter() - started
        size = paths.html.stat().st_size / 1e6
    print(f"report over {len(frame)} answers written in {took:.1f} s (HTML {size:.0f} MB)")
    print(f"opening the store ({db:.0f} MB) read-only with the page check: {check:.2f} s")


if __name__ == "__main__":
    main()
