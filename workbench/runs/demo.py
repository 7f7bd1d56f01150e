"""The demo: the whole job offline on a data set folder, from a fresh store to a report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench.data.datasets import select_questions
from workbench.errors import ConfigError
from workbench.generation.offline import OfflineComposer
from workbench.reports.assemble import write_report
from workbench.reports.export import ReportPaths, ensure_writable
from workbench.reports.summary import summary_frame
from workbench.runs.batch import BatchReport, generate_batch, score_batch
from workbench.runs.options import DemoOptions
from workbench.scoring.calibration import Calibration, calibrate
from workbench.scoring.faithfulness import OfflineJudge
from workbench.workspace import Workspace

__all__ = ["DemoResult", "demo", "run_demo"]


@dataclass(frozen=True, slots=True)
class DemoResult:
    """What the demo made."""

    paths: ReportPaths
    store_path: Path
    generation: list[BatchReport]
    scoring: BatchReport
    summary: pd.DataFrame
    calibration: Calibration


def run_demo(
    out_dir: Path,
    *,
    store_path: Path | None = None,
    limit: int | None = None,
    datasets: Path | None = None,
    progress: bool = True,
) -> DemoResult:
    """`demo` with its options as keywords."""
    return demo(DemoOptions(out_dir, store_path, limit, datasets, progress))


def demo(o: DemoOptions) -> DemoResult:
    """The whole job offline: every question under every prompt version, scored, reported.

    The demo store (default: `out/demo.db`) starts empty each time, so the demo shows
    what the code does now. The output folder is checked first: one that cannot be
    written is one error, before the old demo store is removed.
    """
    out_dir, limit, progress = o.out, o.limit, o.progress
    store_path = o.store or out_dir / "demo.db"
    if str(store_path).startswith(("postgresql:", "postgres:", "sqlite:")):
        raise ConfigError(
            f"--store {store_path}: the demo makes a fresh SQLite file (a plain path); copy it "
            "to PostgreSQL afterwards with `workbench store copy`"
        )
    ws = Workspace.resolve(datasets=o.datasets, store=store_path)
    corpus = ws.corpus
    ensure_writable(out_dir)
    ensure_writable(store_path.parent)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store_path}{suffix}").unlink(missing_ok=True)
    generator, judge = OfflineComposer(), OfflineJudge()
    questions = select_questions(corpus, limit=limit)
    with ws.open_store(create=True) as store:
        generation = [
            generate_batch(
                store,
                corpus,
                generator,
                key,
                questions,
                questions_source=str(ws.questions),
                progress=progress,
            )
            for key in sorted(corpus.prompts)
        ]
        scoring = score_batch(store, corpus, judge, rules=ws.rules, progress=progress)
        calibration = calibrate(
            ws.gold_corpus,
            judge,
            gold_claims=ws.gold_claims,
            gold_safety=ws.gold_safety,
            rules=ws.rules,
        )
        paths, frame = write_report(
            store,
            corpus,
            out_dir,
            rules=ws.rules,
            rules_path=ws.rules_file,
            datasets_folder=ws.datasets,
            title="Demo: offline answers",
            calibration=calibration,
        )
    return DemoResult(paths, store_path, generation, scoring, summary_frame(frame), calibration)
