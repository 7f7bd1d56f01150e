"""The evaluation report as one self-contained HTML page (inline CSS and SVG, no scripts).

Jinja2 autoescapes every value; answer text goes through `workbench.reports.render`, which
escapes it before adding its own marks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from workbench.data.datasets import Corpus
from workbench.models import Answer, Evaluation, ReviewDecision, Run
from workbench.reports.compare import Comparison
from workbench.reports.problems import Problem, find_problems
from workbench.reports.questions import QuestionRow, answer_view, page_name, question_rows
from workbench.reports.render import NO_FINDINGS, breakable, found_by, highlight_answer
from workbench.reports.retrieval import ContextRow, RetrievalRow
from workbench.reports.summary import rule_counts, rule_pass_rates, summary_frame
from workbench.reports.svg import bar_chart, grouped_bar_chart, strip_chart
from workbench.reports.trust import judge_vs_reviewers, public_trust
from workbench.scoring.calibration import JudgeGoldMetrics, SafetyGoldMetrics
from workbench.scoring.readability import GRADE_TARGET
from workbench.scoring.safety_measure import compare_sources
from workbench.store.decision_log import ChainCheck

__all__ = [
    "ANSWERS_PER_PAGE",
    "Layout",
    "ReportData",
    "question_page_name",
    "question_rows_of",
    "render_question_list",
    "render_question_page",
    "render_report",
]

ANSWERS_PER_PAGE = 100  # answers on one question page before it goes on to the next

_ENV = Environment(
    loader=PackageLoader("workbench.reports", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["found_by"] = found_by
_ENV.globals["NO_FINDINGS"] = NO_FINDINGS
_ENV.filters["breakable"] = breakable


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything a report shows, read from the store and the data sets beforehand."""

    title: str
    store: str  # where the store is (a path, or a URL without its password)
    corpus: Corpus
    datasets_folder: Path
    runs: Sequence[Run]
    answers: Sequence[Answer]
    evaluations: Sequence[Evaluation]
    decisions: dict[str, ReviewDecision]
    frame: pd.DataFrame
    rules_path: Path
    rule_count: int
    rule_ids: Sequence[str] = ()
    judge_metrics: Sequence[JudgeGoldMetrics] = ()
    safety_metrics: SafetyGoldMetrics | None = None
    comparisons: Sequence[Comparison] = ()
    generated_at: datetime | None = None
    log: ChainCheck | None = None  # the decision log's check when the report was written
    retrieval: Sequence[RetrievalRow] = ()  # each run's retrieval against the gold
    context: Sequence[ContextRow] = ()  # each run's stored ragas context figures


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}f}"


def _pct(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{100 * value:.0f}%"


def _pass_rates(frame: pd.DataFrame, rule_ids: Sequence[str]) -> dict[str, Any] | None:
    if frame.empty or not rule_ids:
        return None
    rates = rule_pass_rates(frame, list(rule_ids))
    return {
        "prompts": list(rates.columns),
        "rows": [(rule, [f"{100 * v:.0f}%" for v in row]) for rule, row in rates.iterrows()],
        "chart": grouped_bar_chart(
            list(rates.index),
            {str(p): [float(v) for v in rates[p]] for p in rates.columns},
            title="Safety rule pass rate (share of answers the rule passed)",
        ),
    }


def _comparisons(data: ReportData) -> list[dict[str, Any]]:
    evals = {(ev.answer_id, ev.judge): ev for ev in data.evaluations}
    out = []
    for c in data.comparisons:
        movers = []
        for row in c.rows.head(5).itertuples():
            sides = []
            for aid, text in ((row.answer_a_id, row.answer_a), (row.answer_b_id, row.answer_b)):
                ev = evals.get((str(aid), c.judge))
                claims = ev.claims if ev else ()
                findings = ev.safety if ev else ()
                sides.append(highlight_answer(str(text), claims, findings))
            movers.append({"row": row, "a": sides[0], "b": sides[1]})
        out.append({"c": c, "movers": movers, "rules": c.rule_changes.to_dict("records")})
    return out


def _charts(frame: pd.DataFrame) -> list[Any]:
    summary = summary_frame(frame)
    if summary.empty:
        return []
    labels = [f"{r.prompt} · {r.judge}" for r in summary.itertuples()]
    charts = [
        bar_chart(
            labels,
            [None if pd.isna(v) else float(v) for v in summary["faithfulness"]],
            title="Mean faithfulness score (the judge's own score)",
            maximum=1.0,
            missing="this judge scored no answer",
        ),
        bar_chart(
            labels,
            [float(v) for v in summary["safety_failed"]],
            title="Share of answers failing a safety rule",
            maximum=1.0,
            fmt="{:.0%}",
        ),
    ]
    groups = {
        str(prompt): [float(v) for v in part["faithfulness"].dropna()]
        for prompt, part in frame.groupby("prompt")
    }
    charts.append(strip_chart(groups, title="Faithfulness of each answer", lo=0.0, hi=1.0))
    grades = {
        str(prompt): [float(v) for v in part["fk_grade"].dropna()]
        for prompt, part in frame.groupby("prompt")
    }
    charts.append(
        strip_chart(
            grades,
            title="Reading grade of each answer (Flesch-Kincaid)",
            lo=0.0,
            hi=16.0,
            target=GRADE_TARGET,
            target_label="grade 8",
        )
    )
    return charts


def _flagged(data: ReportData) -> list[dict[str, Any]]:
    """Flagged answers, lowest score first, each with its weakest claim."""
    answers = {a.id: a for a in data.answers}
    flagged = [ev for ev in data.evaluations if ev.flagged]
    flagged.sort(key=lambda ev: ev.faithfulness if ev.faithfulness is not None else 0.0)
    return [
        {
            "answer_id": ev.answer_id,
            "question_id": answers[ev.answer_id].question_id,
            "prompt": answers[ev.answer_id].prompt_key,
            "judge": ev.judge,
            "score": ev.faithfulness,
            "claim": ev.weakest[0],
        }
        for ev in flagged
    ]


def render_report(data: ReportData, layout: Layout | None = None) -> str:
    """The report's page as an HTML string: everything on it, or (split) the index page
    whose question list links to one page per question."""
    layout = layout or Layout.single(question_rows_of(data))
    frame = data.frame
    counts = rule_counts(frame) if not frame.empty else pd.DataFrame()
    rules_table = None
    if not counts.empty:
        rules_table = {
            "prompts": list(counts.columns),
            "rows": [(rule, list(row)) for rule, row in counts.iterrows()],
        }
    inline = (
        [
            {"row": r, "items": [answer_view(e, data.corpus.excerpts) for e in r.entries]}
            for r in layout.rows
        ]
        if not layout.split
        else []
    )
    return _ENV.get_template("report.html.j2").render(
        page_title=data.title,
        title=data.title,
        generated_at=_written(data),
        store_path=data.store,
        datasets={
            "questions": len(data.corpus.questions),
            "excerpts": len(data.corpus.excerpts),
            "prompts": sorted(data.corpus.prompts),
            "folder": data.datasets_folder,
        },
        runs=data.runs,
        judges=sorted({ev.judge for ev in data.evaluations}) or ["none yet"],
        rule_count=data.rule_count,
        rules_path=data.rules_path,
        grade_target=f"{GRADE_TARGET:g}",
        reviewed=sum(1 for a in data.answers if a.id in data.decisions),
        overrides=sum(1 for d in data.decisions.values() if d.overrides),
        log=data.log,
        total_answers=len(data.answers),
        judge_metrics=data.judge_metrics,
        safety_metrics=data.safety_metrics,
        safety_sources=compare_sources(data.evaluations),
        pass_rates=_pass_rates(frame, data.rule_ids),
        trust=judge_vs_reviewers(frame) if not frame.empty else [],
        public=public_trust(sorted({ev.judge for ev in data.evaluations}) or ["offline"]),
        problems=find_problems(data.answers, data.evaluations, data.decisions),
        answer_href=layout.answer_href,
        flagged=_flagged(data),
        comparisons=_comparisons(data),
        summary=summary_frame(frame).to_dict("records") if not frame.empty else [],
        retrieval=data.retrieval,
        context=data.context,
        charts=_charts(frame),
        rules_table=rules_table,
        split=layout.split,
        list_rows=layout.rows[: layout.list_size],
        list_pages=layout.list_pages,
        href=layout.href,
        question_href=layout.href_of,
        inline=inline,
        fmt=_fmt,
        pct=_pct,
    )


def question_rows_of(data: ReportData) -> list[QuestionRow]:
    """The question list of a report's data, problems first."""
    return question_rows(data.corpus, data.answers, data.evaluations, data.decisions)


@dataclass(frozen=True, slots=True)
class Layout:
    """One page, or an index page with one page (or more) per question."""

    rows: Sequence[QuestionRow]
    split: bool
    list_size: int  # questions listed per list page
    answers_per_page: int = ANSWERS_PER_PAGE

    @classmethod
    def single(cls, rows: Sequence[QuestionRow]) -> Layout:
        return cls(rows, False, max(len(rows), 1))

    @property
    def list_pages(self) -> int:
        return max(1, -(-len(self.rows) // self.list_size))

    def href(self, row: QuestionRow) -> str:
        """Where the index and list pages link a question: its page, or its place below."""
        return self.href_of(row.id)

    def href_of(self, question_id: str) -> str:
        """The same link from a question's id."""
        page = page_name(question_id)
        return f"questions/{page}.html" if self.split else f"#q-{page}"

    def answer_href(self, problem: Problem) -> str:
        """Where a problem links: its answer, in its question's place or page."""
        anchor = f"a-{problem.answer_id}-{problem.judges[0]}"
        page = page_name(problem.question_id)
        return f"questions/{page}.html#{anchor}" if self.split else f"#{anchor}"

    def question_pages(self, row: QuestionRow) -> int:
        return max(1, -(-len(row.entries) // self.answers_per_page))


def question_page_name(row: QuestionRow, page: int) -> str:
    """The file of a question's page `page` (1-based), inside `questions/`."""
    return f"{row.page}.html" if page == 1 else f"{row.page}.p{page}.html"


def render_question_page(
    data: ReportData, layout: Layout, row: QuestionRow, page: int, index: str
) -> str:
    """One question's page `page`: its status and its answers, worst first."""
    size = layout.answers_per_page
    first = (page - 1) * size
    entries = row.entries[first : first + size]
    return _ENV.get_template("question.html.j2").render(
        page_title=f"{row.text} ({row.id})",
        title=data.title,
        index=index,
        row=row,
        page=page,
        pages=layout.question_pages(row),
        first=first + 1,
        last=first + len(entries),
        page_href=lambda n: question_page_name(row, n),
        items=[answer_view(e, data.corpus.excerpts) for e in entries],
        generated_at=_written(data),
        fmt=_fmt,
    )


def render_question_list(data: ReportData, layout: Layout, page: int, index: str) -> str:
    """List page `page` (2 and up; the first is on the index page)."""
    rows = layout.rows[(page - 1) * layout.list_size : page * layout.list_size]
    return _ENV.get_template("questions.html.j2").render(
        page_title=f"{data.title}: questions, page {page}",
        title=data.title,
        index=index,
        rows=rows,
        page=page,
        pages=layout.list_pages,
        href=layout.href,
    )


def _written(data: ReportData) -> str:
    return (data.generated_at or datetime.now().astimezone()).strftime("%Y-%m-%d %H:%M %Z")
