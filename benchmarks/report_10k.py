"""The report over a big store: time, files and sizes; opened in headless Chromium.

Builds the store once: the demo's 122 answers and their evaluations, copied into new
runs (in SQL, so 100,000 answers take seconds) until there are `--answers` of them.
Then times `write_report` (frame, summary with bootstrap intervals, comparisons, the
index page and one page per question, CSV and JSON), and prints how many files it
wrote and the biggest. With `--browser`, opens the index and the worst question's page
in headless Chromium, records every request, and saves screenshots of both into `--shots`.
It also times the page check (`PRAGMA quick_check`) that `workbench report`, `export` and
`runs` run when they open the store.

    .venv/bin/python benchmarks/report_10k.py [--answers 10000] [--browser]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import tempfile
import time
from pathlib import Path

from workbench.data.datasets import load_corpus
from workbench.reports.assemble import write_report
from workbench.runs.demo import run_demo
from workbench.store import SQLiteStore

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]


def build(path: Path, total: int) -> None:
    """A store of `total` answers: copy n of the demo's runs get the suffix `#n`."""
    demo = run_demo(path.parent / "demo", progress=False)
    SQLiteStore(path).close()  # the schema, by the store's own migrations
    db = sqlite3.connect(path)
    db.execute("ATTACH DATABASE ? AS src", (str(demo.store_path),))
    per_copy = db.execute("SELECT count(*) FROM src.answers").fetchone()[0]
    renamed = {"runs": {"id"}, "answers": {"id", "run_id"}, "evaluations": {"answer_id"}}
    made, n = 0, 0
    with db:
        while made < total:
            take = min(per_copy, total - made)
            for table, keys in renamed.items():
                cols = _columns(db, table)
                picks = ", ".join(f"{c} || '#{n}'" if c in keys else c for c in cols)
                where = ""
                if table == "answers":
                    where = f" WHERE rowid IN (SELECT rowid FROM src.answers LIMIT {take})"
                elif table == "evaluations":
                    where = (
                        " WHERE answer_id IN (SELECT id FROM src.answers"
                        f" WHERE rowid IN (SELECT rowid FROM src.answers LIMIT {take}))"
                    )
                db.execute(
                    f"INSERT INTO {table} ({', '.join(cols)}) SELECT {picks} FROM src.{table}"
                    + where
                )
            made += take
            n += 1
    db.close()


def browse(index: Path, shots: Path) -> None:
    """Open the index and its first question (the worst) in Chromium; screenshots."""
    from playwright.sync_api import sync_playwright

    shots.mkdir(parents=True, exist_ok=True)
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("request", lambda r: requests.append(r.url))
        started = time.perf_counter()
        page.goto(index.resolve().as_uri(), wait_until="load")
        opened = time.perf_counter() - started
        wide = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(shots / "report_top.png"))
        page.locator("table.questions a").first.click()
        page.wait_for_load_state("load")
        page.screenshot(path=str(shots / "report_problem_question.png"))
        worst = page.url
        browser.close()
    outside = [r for r in requests if not r.startswith("file://")]
    print(
        f"Chromium: index opened in {opened:.2f} s, page width {wide} px at a 1280 px window; "
        f"{len(requests)} requests, {len(outside)} outside the folder; worst question: "
        f"{worst.rsplit('/', 1)[-1]}; screenshots in {shots}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--browser", action="store_true", help="open it in headless Chromium")
    parser.add_argument(
        "--shots", type=Path, default=ROOT / "reports" / "benchmark", help="screenshot folder"
    )
    args = parser.parse_args()
    corpus = load_corpus()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.db"
        started = time.perf_counter()
        build(path, args.answers)
        print(f"store of {args.answers} answers built in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        SQLiteStore(path, read_only=True, check_pages=True).close()
        check = time.perf_counter() - started
        print(
            f"opening the store ({path.stat().st_size / 1e6:.0f} MB) read-only with the page "
            f"check that `workbench report`, `export` and `runs` run: {check:.2f} s"
        )
        with SQLiteStore(path) as store:
            started, cpu = time.perf_counter(), time.process_time()
            paths, frame = write_report(store, corpus, Path(tmp) / "out")
            took, cpu = time.perf_counter() - started, time.process_time() - cpu
        html = [paths.html, *paths.pages]
        sizes = sorted((p.stat().st_size, p) for p in html)
        total = sum(s for s, _ in sizes)
        biggest, name = sizes[-1]
        print(
            f"report over {len(frame)} answers written in {took:.1f} s ({cpu:.1f} s of CPU; load "
            f"average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores): {len(html)} HTML files, "
            f"{total / 1e6:.1f} MB in all; index {paths.html.stat().st_size / 1e6:.2f} MB; "
            f"biggest {biggest / 1e6:.2f} MB ({name.relative_to(paths.html.parent)}); "
            f"evaluations.csv {paths.csv.stat().st_size / 1e6:.1f} MB"
        )
        if args.browser:
            browse(paths.html, args.shots)


if __name__ == "__main__":
    main()
