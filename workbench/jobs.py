"""The jobs behind the CLI and the notebooks: generate, score, report, demo.

Each job takes paths and names, wires the library parts together, and returns what it
did; printing is left to the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench.backends.base import Generator
from workbench.backends.offline import OfflineComposer
from workbench.compare import Comparison, compare_runs
from workbench.datasets import (
    Corpus,
    check_gold_references,
    default_datasets_dir,
    load_corpus,
    load_gold_claims,
    load_gold_safety,
)
from workbench.errors import ConfigError
from workbench.export import ReportPaths, write_report_files
from workbench.llm import LLMSettings, open_client
from workbench.models import Evaluation, Question
from workbench.pipeline import BatchReport, generate_batch, score_batch
from workbench.reports.frame import frame_of
from workbench.reports.html import ReportData, render_report
from workbench.reports.summary import summary_frame
from workbench.scoring.base import Judge
from workbench.scoring.calibration import (
    JudgeGoldMetrics,
    SafetyGoldMetrics,
    measure_judge,
    measure_safety,
)
from workbench.scoring.faithfulness import OfflineJudge
from workbench.scoring.safety import RuleSet, load_rules
from workbench.scoring.safety_rules import RULES_FILE
from workbench.store import Store

__all__ = [
    "BACKENDS",
    "JUDGES",
    "Calibration",
    "DemoResult",
    "calibrate",
    "default_comparisons",
    "make_generator",
    "make_judge",
    "rules_for",
    "run_demo",
    "select_questions",
    "write_report",
]

BACKENDS = ("offline", "openai")
MAX_COMPARISONS = 4  # runs compared with the first one in a report
JUDGES = ("offline", "ragas")


def make_generator(
    name: str, *, settings: LLMSettings | None = None, store_path: Path | None = None
) -> Generator:
    """The backend called `name`. `openai` takes `settings` (default: from the environment)
    and keeps its call cache beside the store at `store_path`."""
    if name == "offline":
        return OfflineComposer()
    if name == "openai":
        from workbench.backends.openai_backend import OpenAIBackend

        client = open_client(settings or LLMSettings.from_env(), store_path=store_path)
        return OpenAIBackend(client)
    raise ConfigError(f"unknown backend {name!r}; choose one of {', '.join(BACKENDS)}")


def make_judge(
    name: str, *, settings: LLMSettings | None = None, store_path: Path | None = None
) -> Judge:
    """The faithfulness judge called `name`. `ragas` takes `settings` (default: from the
    environment, `WORKBENCH_JUDGE_*` first) and shares the store's call cache."""
    if name == "offline":
        return OfflineJudge()
    if name == "ragas":
        from workbench.scoring.ragas_judge import RagasJudge  # imports ragas: only when asked

        client = open_client(settings or LLMSettings.from_env(judge=True), store_path=store_path)
        return RagasJudge(client)
    raise ConfigError(f"unknown judge {name!r}; choose one of {', '.join(JUDGES)}")


def rules_for(datasets: Path | None) -> RuleSet:
    """The safety rules of a data set folder (default: the repository's)."""
    return load_rules((datasets or default_datasets_dir()) / RULES_FILE)


def select_questions(
    corpus: Corpus,
    *,
    cancer_types: Sequence[str] = (),
    ids: Sequence[str] = (),
    limit: int | None = None,
) -> list[Question]:
    """The questions to run: filtered by cancer type and id, then the first `limit`."""
    unknown = sorted(set(ids) - {q.id for q in corpus.questions})
    if unknown:
        raise ConfigError(f"--question: no question with id {', '.join(unknown)}")
    chosen = [
        q
        for q in corpus.questions
        if (not cancer_types or q.cancer_type in cancer_types) and (not ids or q.id in ids)
    ]
    return chosen[:limit] if limit is not None else chosen


@dataclass(frozen=True, slots=True)
class Calibration:
    """The scorers measured against the gold labels."""

    judge: JudgeGoldMetrics
    safety: SafetyGoldMetrics


def calibrate(corpus: Corpus, judge: Judge, datasets: Path | None = None) -> Calibration:
    """Measure the judge on the gold claims and the safety rules on the gold answers."""
    folder = datasets or default_datasets_dir()
    claims = load_gold_claims(folder / "gold" / "claims")
    check_gold_references(claims, corpus.excerpts, folder / "gold" / "claims")
    return Calibration(
        judge=measure_judge(judge, claims, corpus.excerpts),
        safety=measure_safety(load_gold_safety(folder / "gold" / "safety"), rules_for(folder)),
    )


def write_report(
    store: Store,
    corpus: Corpus,
    out_dir: Path,
    *,
    title: str = "Answer evaluation report",
    calibration: Calibration | None = None,
    datasets: Path | None = None,
) -> tuple[ReportPaths, pd.DataFrame]:
    """Write the HTML report and the CSV and JSON of its numbers; return paths and the rows.

    When the store holds several runs, the first run is compared with each other one on
    their shared questions.
    """
    answers, evaluations = store.answers(), store.evaluations()
    decisions = store.latest_decisions()
    frame = frame_of(answers, evaluations, decisions, corpus)
    rules_path = (datasets or default_datasets_dir()) / RULES_FILE
    rules = rules_for(datasets)
    comparisons = default_comparisons(store, corpus, frame, evaluations)
    data = ReportData(
        title=title,
        store_path=store.path,
        corpus=corpus,
        datasets_folder=datasets or default_datasets_dir(),
        runs=store.runs(),
        answers=answers,
        evaluations=evaluations,
        decisions=decisions,
        frame=frame,
        rules_path=rules_path,
        rule_count=len(rules.rules),
        rule_ids=[r.id for r in rules.rules],
        judge_metrics=[calibration.judge] if calibration else [],
        safety_metrics=calibration.safety if calibration else None,
        comparisons=comparisons,
    )
    tables = {
        "summary": summary_frame(frame),
        "comparisons": pd.concat(
            [c.rows.assign(run_a=c.run_a, run_b=c.run_b, judge=c.judge) for c in comparisons]
        )
        if comparisons
        else pd.DataFrame(),
    }
    return write_report_files(out_dir, render_report(data), frame, tables), frame


def default_comparisons(
    store: Store, corpus: Corpus, frame: pd.DataFrame, evaluations: Sequence[Evaluation]
) -> list[Comparison]:
    """The first run against each later run that shares questions with it, per judge."""
    runs = store.runs()
    judges = sorted(set(frame["judge"])) if not frame.empty else []
    out = []
    for judge in judges:
        for later in runs[1 : MAX_COMPARISONS + 1]:
            try:
                out.append(
                    compare_runs(
                        store, corpus, runs[0].id, later.id, judge=judge, evaluations=evaluations
                    )
                )
            except ConfigError:
                continue  # no shared question: nothing to compare
    return out


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
    """The whole job offline: every question under every prompt version, scored, reported.

    The demo store starts empty each time, so the demo shows what the code does now.
    """
    folder = datasets or default_datasets_dir()
    corpus = load_corpus(
        questions=folder / "questions", excerpts=folder / "excerpts", prompts=folder / "prompts"
    )
    store_path = store_path or out_dir / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store_path}{suffix}").unlink(missing_ok=True)
    generator, judge = make_generator("offline"), make_judge("offline")
    questions = select_questions(corpus, limit=limit)
    with Store(store_path) as store:
        generation = [
            generate_batch(
                store,
                corpus,
                generator,
                key,
                questions,
                questions_source=str(folder / "questions"),
                progress=progress,
            )
            for key in sorted(corpus.prompts)
        ]
        scoring = score_batch(store, corpus, judge, rules=rules_for(folder), progress=progress)
        calibration = calibrate(corpus, judge, folder)
        paths, frame = write_report(
            store,
            corpus,
            out_dir,
            title="Demo: offline answers",
            calibration=calibration,
            datasets=folder,
        )
    return DemoResult(paths, store_path, generation, scoring, summary_frame(frame), calibration)
