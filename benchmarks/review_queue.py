"""Benchmark: drawing the next item in the review panel over a store of 10,000 answers.

Builds (once, cached under reports/bench/) a store of 10,004 scored answers: the 122 demo
answers, copied into 82 runs. Then opens the review panel over it and times, with real
widgets and no browser: opening the panel, clicking Next (the next item drawn: its
answer, scores, claims and evidence rendered), and a decision followed by the next item.

With `--store postgresql` the same store is built on PostgreSQL (default 100,000
answers): the demo store copied with `workbench.store.copy`, then its runs, answers and
evaluations copied in SQL, on a throw-away server (`tests/pgcluster.py`) or the server at
`--postgres URL` (a role that may create databases).

    .venv/bin/python benchmarks/review_queue.py [--answers 10000] [--clicks 300]
    .venv/bin/python benchmarks/review_queue.py --store postgresql [--answers 100000]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import pgcluster  # noqa: E402
from workbench.data.datasets import load_corpus  # noqa: E402
from workbench.review.desk import QueueFilter  # noqa: E402
from workbench.runs.demo import run_demo  # noqa: E402
from workbench.store import SQLiteStore  # noqa: E402
from workbench.store.copy import copy_store  # noqa: E402
from workbench.ui.review_app import review_app  # noqa: E402
from workbench.workspace import Workspace  # noqa: E402

CACHE = Path("reports/bench")
ANSWER_COLUMNS = (
    "question_id, prompt_key, backend, model, text, cited_ids, retrieved_ids, settings, "
    "prompt_tokens, completion_tokens, latency_s, cost_usd, created_at, parent_id"
)


def _seed(path: Path, answers: int) -> None:
    """Copy the demo's scored answers into as many runs as it takes (setup, not measured)."""
    with tempfile.TemporaryDirectory() as tmp:
        demo = run_demo(Path(tmp), progress=False)
        shutil.copyfile(demo.store_path, path)
    db = sqlite3.connect(path, isolation_level=None)
    (base,) = db.execute("SELECT count(*) FROM answers").fetchone()
    db.execute("BEGIN")
    for n in range(1, -(-answers // base)):
        tag = f".copy{n:03d}"
        db.execute(
            "INSERT INTO runs SELECT id || ?, prompt_key, backend, model, questions_source, "
            "settings, created_at FROM runs WHERE id NOT LIKE '%.copy%'",
            (tag,),
        )
        db.execute(
            "INSERT INTO answers SELECT id || ?, run_id || ?, question_id, prompt_key, backend, "
            "model, text, cited_ids, retrieved_ids, settings, prompt_tokens, completion_tokens, "
            "latency_s, cost_usd, created_at, parent_id FROM answers WHERE run_id NOT LIKE "
            "'%.copy%'",
            (tag, tag),
        )
        db.execute(
            "INSERT INTO evaluations SELECT answer_id || ?, judge, status, faithfulness, claims,"
            " safety, fk_grade, smog, error, excerpt_versions, created_at FROM evaluations "
            "WHERE answer_id NOT LIKE '%.copy%'",
            (tag,),
        )
        db.execute(
            "INSERT INTO evaluation_findings SELECT answer_id || ?, judge, judge_failed, fails, "
            "warnings, contradicted, not_found FROM evaluation_findings "
            "WHERE answer_id NOT LIKE '%.copy%'",
            (tag,),
        )
    db.execute("COMMIT")
    db.close()


def _seed_postgres(url: str, answers: int) -> None:
    """The demo store copied to PostgreSQL, then its rows copied in SQL (setup, not measured)."""
    with tempfile.TemporaryDirectory() as tmp:
        demo = run_demo(Path(tmp), progress=False)
        with (
            SQLiteStore(demo.store_path) as source,
            Workspace.resolve(store=url).open_store(create=True) as team,
        ):
            copy_store(source, team)
    with psycopg.connect(url) as db:
        (base,) = db.execute("SELECT count(*) FROM answers").fetchone()  # type: ignore[misc]
        for n in range(1, -(-answers // base)):
            tag = f".copy{n:03d}"
            db.execute(
                "INSERT INTO runs SELECT id || %s, prompt_key, backend, model, questions_source, "
                "settings, created_at FROM runs WHERE id NOT LIKE '%%.copy%%'",
                (tag,),
            )
            db.execute(
                f"INSERT INTO answers (id, run_id, {ANSWER_COLUMNS}) SELECT id || %s, "  # type: ignore[arg-type]
                f"run_id || %s, {ANSWER_COLUMNS} FROM answers WHERE run_id NOT LIKE '%%.copy%%' "
                "ORDER BY pos",
                (tag, tag),
            )
            db.execute(
                "INSERT INTO evaluations SELECT answer_id || %s, judge, status, faithfulness, "
                "claims, safety, fk_grade, smog, error, excerpt_versions, created_at FROM "
                "evaluations WHERE answer_id NOT LIKE '%%.copy%%'",
                (tag,),
            )
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("VACUUM ANALYZE")


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"median {statistics.median(values) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int)
    parser.add_argument("--clicks", type=int, default=300)
    parser.add_argument("--store", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgres", help="use this server instead of a throw-away one")
    args = parser.parse_args()
    if args.store == "postgresql":
        cluster = pgcluster.Cluster(args.postgres) if args.postgres else pgcluster.start()
        try:
            url = cluster.create_database("review")
            t = time.perf_counter()
            _seed_postgres(url, args.answers or 100_000)
            print(f"seeded PostgreSQL in {time.perf_counter() - t:.0f} s (not measured below)")
            measure(url, args.clicks)
        finally:
            cluster.stop()
        return
    answers = args.answers or 10_000
    seed = CACHE / f"review_{answers}.db"
    if not seed.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        _seed(seed, answers)
    work = CACHE / "review_run.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(seed, work)
    measure(str(work), args.clicks)


def measure(work: str, clicks: int) -> None:
    """Open the panel over the store at `work`, click Next and Approve, print the times."""
    corpus = load_corpus()

    start = time.perf_counter()
    panel = review_app(work, corpus=corpus, reviewer="Benchmark")
    opened = time.perf_counter() - start
    total = panel.desk.queue.counts()
    nexts = []
    for _ in range(clicks):
        t = time.perf_counter()
        panel.view.next.click()
        nexts.append(time.perf_counter() - t)
    decided = []
    for _ in range(min(50, clicks)):
        t = time.perf_counter()
        panel.view.approve.click()
        decided.append(time.perf_counter() - t)
    assert "Saved: approve" in panel.view.status.value, panel.view.status.value
    panel.desk.store.close()
    print(
        f"queue: {total[QueueFilter.ALL]} answer versions "
        f"({', '.join(f'{k.value} {v}' for k, v in total.items())})"
    )
    print(f"open the panel (load the queue, draw the first item): {opened * 1000:.0f} ms")
    print(f"next item, {len(nexts)} clicks: {_ms(nexts)}")
    print(f"approve and draw the next item, {len(decided)} clicks: {_ms(decided)}")


if __name__ == "__main__":
    main()
