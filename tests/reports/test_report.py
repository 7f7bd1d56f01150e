"""The HTML report is self-contained and shows untrusted text escaped."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pandas as pd

from workbench.data.datasets import Corpus
from workbench.generation.offline import OfflineComposer
from workbench.models import Answer, Evaluation, EvaluationStatus, Run
from workbench.reports.assemble import write_report
from workbench.reports.frame import COLUMNS
from workbench.reports.render import status_label
from workbench.runs.batch import generate_batch, score_batch
from workbench.scoring.faithfulness import OfflineJudge
from workbench.store import Store

PAYLOAD = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def test_report_escapes_answers_and_excerpts_and_loads_nothing(
    store: Store, corpus: Corpus, tmp_path: Path
) -> None:
    question = corpus.questions[0]
    first_id = next(iter(corpus.excerpts))
    poisoned = replace(corpus.excerpts[first_id], source_title=PAYLOAD, text=PAYLOAD + " text.")
    corpus = replace(corpus, excerpts={**corpus.excerpts, first_id: poisoned})
    store.ensure_run(Run("r", "patient_answer@v1", "fake", "m", "t"))
    store.add_answer(
        Answer(
            "a-x",
            "r",
            question.id,
            "patient_answer@v1",
            "fake",
            "m",
            f"Claim one {PAYLOAD} [{first_id}].",
            (first_id,),
            (first_id,),
        )
    )
    score_batch(store, corpus, OfflineJudge(), progress=False)
    paths, frame = write_report(store, corpus, tmp_path / "out")
    html = paths.html.read_text()
    assert "<img" not in html and "<script" not in html and 'onerror="' not in html
    assert "&lt;img src=x onerror=" in html
    assert not re.search(r"""src=["']?(https?:)?//|<link\b|@import""", html)
    assert list(frame.columns) == COLUMNS


def test_report_csv_has_a_row_per_answer_with_review_status(
    store: Store, corpus: Corpus, tmp_path: Path
) -> None:
    for key in ("patient_answer@v1", "patient_answer@v2"):
        generate_batch(
            store,
            corpus,
            OfflineComposer(),
            key,
            list(corpus.questions[:4]),
            questions_source="t",
            progress=False,
        )
    score_batch(store, corpus, OfflineJudge(), progress=False)
    paths, _ = write_report(store, corpus, tmp_path / "out")
    rows = pd.read_csv(paths.csv)
    assert len(rows) == 8
    assert set(rows["review_status"]) == {"not reviewed"}
    assert set(rows["prompt"]) == {"patient_answer@v1", "patient_answer@v2"}
    assert "<svg" in paths.html.read_text()


def test_highlight_escapes_inside_marks_and_renders_headings() -> None:
    from workbench.models import ClaimVerdict, Span, Verdict
    from workbench.reports.render import highlight_answer

    text = "## How it works\nA <b>bold</b> claim."
    start = text.index("A <b>")
    verdict = ClaimVerdict(
        "A claim.", Span(start, len(text)), Verdict.NOT_FOUND, "why <i>", None, None, "offline"
    )
    html = str(highlight_answer(text, [verdict]))
    assert '<strong class="heading">How it works</strong>' in html
    assert '<mark class="claim not_found" title="not found in the evidence">' in html
    assert "A &lt;b&gt;bold&lt;/b&gt; claim." in html and "<b>" not in html


def test_a_failed_judgment_reads_judge_failed_once_with_its_reason(
    store: Store, corpus: Corpus, tmp_path: Path
) -> None:
    generate_batch(
        store,
        corpus,
        OfflineComposer(),
        "patient_answer@v1",
        list(corpus.questions[:1]),
        questions_source="t",
        progress=False,
    )
    (answer,) = store.answers()
    why = "judge failed: the judge's reply was cut off at max_tokens (1024)"
    store.add_evaluation(
        Evaluation(answer.id, "ragas:m", EvaluationStatus.JUDGE_FAILED, None, (), (), 8.0, 9.0, why)
    )
    paths, _ = write_report(store, corpus, tmp_path / "out")
    html = paths.html.read_text()
    assert "judge failed: the judge&#39;s reply was cut off at max_tokens (1024)" in html
    assert "judge failed: judge failed" not in html
    assert status_label(EvaluationStatus.JUDGE_FAILED, why) == why
    assert status_label(EvaluationStatus.JUDGE_FAILED, "no excerpts") == "judge failed: no excerpts"
