"""The whole report from a store: rows, comparisons, the page and its CSV and JSON files."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import pandas as pd

from workbench.data.datasets import Corpus, default_datasets_dir
from workbench.errors import ConfigError
from workbench.models import Evaluation
from workbench.reports.compare import Comparison, compare_runs
from workbench.reports.export import ReportPaths, write_anchor, write_report_files
from workbench.reports.frame import frame_of
from workbench.reports.html import (
    Layout,
    ReportData,
    question_page_name,
    question_rows_of,
    render_question_list,
    render_question_page,
    render_report,
)
from workbench.reports.retrieval import context_rows, gold_for_report, retrieval_rows
from workbench.reports.summary import summary_frame
from workbench.review.decisions import verify_log
from workbench.scoring.calibration import Calibration
from workbench.scoring.safety import RuleSet, load_rules
from workbench.scoring.safety_rules import RULES_FILE
from workbench.store import Store
from workbench.store.decision_log import ChainCheck

__all__ = ["LIST_SIZE", "MAX_COMPARISONS", "SPLIT_AT", "default_comparisons", "write_report"]

MAX_COMPARISONS = 4  # runs compared with the first one in a report
SPLIT_AT = 500  # answers on one page; above, an index page and a page per question
LIST_SIZE = 1000  # questions listed on the index page (and on each further list page)
INDEX = "report.html"


def write_report(
    store: Store,
    corpus: Corpus,
    out_dir: Path,
    *,
    datasets_folder: Path | None = None,
    rules: RuleSet | None = None,
    rules_path: Path | None = None,
    title: str = "Answer evaluation report",
    calibration: Calibration | None = None,
    log: ChainCheck | None = None,
    split_at: int = SPLIT_AT,
) -> tuple[ReportPaths, pd.DataFrame]:
    """Write the HTML report and the CSV and JSON of its numbers; return paths and the rows.

    The report names the data set folder and the safety rules that made its numbers
    (default: the repository's). When the store holds several runs, the first run is
    compared with each other one on their shared questions. The decision log is checked
    (`log`, else now, with the log key when one is set): the report says whether it is
    intact, and when it is, `anchor.json` records its head beside the report. Up to
    `split_at` answers the report is one page; above, `report.html` is an index (summary,
    charts, comparisons and the question list) linking to one page per question in
    `questions/`, every page self-contained and linked relatively, so the folder opens
    offline anywhere.
    """
    log = log or verify_log(store, key=store.log_key)
    datasets_folder = datasets_folder or default_datasets_dir()
    rules_path = rules_path or datasets_folder / RULES_FILE
    rules = rules or load_rules(rules_path)
    answers, evaluations = store.answers(), store.evaluations()
    decisions = store.latest_decisions()
    frame = frame_of(answers, evaluations, decisions, corpus)
    comparisons = default_comparisons(store, corpus, frame, evaluations)
    data = ReportData(
        title=title,
        store=store.location,
        corpus=corpus,
        datasets_folder=datasets_folder,
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
        log=log,
        retrieval=retrieval_rows(answers, gold_for_report(datasets_folder)),
        context=context_rows(answers, evaluations),
    )
    tables = {
        "summary": summary_frame(frame),
        "comparisons": pd.concat(
            [c.rows.assign(run_a=c.run_a, run_b=c.run_b, judge=c.judge) for c in comparisons]
        )
        if comparisons
        else pd.DataFrame(),
    }
    rows = question_rows_of(data)
    split = len(answers) > split_at
    layout = Layout(rows, split, LIST_SIZE) if split else Layout.single(rows)
    html = render_report(data, layout)
    pages = _pages(data, layout) if split else iter(())
    paths = write_report_files(out_dir, html, frame, tables, pages)
    if log.ok:
        paths = replace(paths, anchor=write_anchor(out_dir, log.head, store.location))
    return paths, frame


def _pages(data: ReportData, layout: Layout) -> Iterator[tuple[str, str]]:
    """Each question's pages, then the question list's pages after the first."""
    for row in layout.rows:
        for n in range(1, layout.question_pages(row) + 1):
            page = render_question_page(data, layout, row, n, INDEX)
            yield f"questions/{question_page_name(row, n)}", page
    for n in range(2, layout.list_pages + 1):
        yield f"questions-{n}.html", render_question_list(data, layout, n, INDEX)


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
