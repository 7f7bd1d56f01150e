"""The demo: the whole job offline on a data set folder, from a fresh store to a report,
through the same use cases as `generate`, `score` and `report`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench.errors import ConfigError
from workbench.reports.export import ReportPaths, ensure_writable
from workbench.reports.summary import summary_frame
from workbench.runs.batch import BatchReport
from workbench.runs.generate import generate, score
from workbench.runs.options import (
    DemoOptions,
    GenerateOptions,
    ReportOptions,
    ScoreOptions,
)
from workbench.runs.publish import report
from workbench.scoring.calibration import Calibration
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
    out_dir = o.out
    store_path = o.store or out_dir / "demo.db"
    if str(store_path).startswith(("postgresql:", "postgres:", "sqlite:")):
        raise ConfigError(
            f"--store {store_path}: the demo makes a fresh SQLite file (a plain path); copy it "
            "to PostgreSQL afterwards with `workbench store copy`"
        )
    ws = Workspace.resolve(datasets=o.datasets, store=store_path)
    ws.corpus  # noqa: B018 (a bad data set is said before the old demo store goes)
    ensure_writable(out_dir)
    ensure_writable(store_path.parent)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store_path}{suffix}").unlink(missing_ok=True)
    generation = generate(
        GenerateOptions(
            ws, prompts=(), backend="offline", llm=None, cancer_types=(), question_ids=(),
            limit=o.limit, run_name=None, max_cost=None, progress=o.progress,
        )
    )  # fmt: skip
    scoring = score(
        ScoreOptions(
            ws, judge="offline", llm=None, safety_llm=None, run_ids=None, rescore=False,
            stale=False, max_cost=None, progress=o.progress,
        )
    )  # fmt: skip
    made = report(ReportOptions(ws, out_dir, title="Demo: offline answers", judge="offline"))
    assert made.calibration is not None  # the demo always measures its judge
    return DemoResult(
        made.paths,
        store_path,
        [d.report for d in generation],
        scoring.batch.report,
        summary_frame(made.frame),
        made.calibration,
    )
