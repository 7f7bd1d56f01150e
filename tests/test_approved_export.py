"""Only approved, unedited, unchanged versions leave; every page escapes what it shows."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from tests.storekit import RawDB
from workbench.cli.main import main
from workbench.data.datasets import Corpus
from workbench.generation.offline import OfflineComposer
from workbench.models import Answer, Decision, Run
from workbench.reports.export import write_approved
from workbench.review.approved import select_approved
from workbench.review.decisions import edit_answer, record_decision
from workbench.runs.batch import generate_batch, score_batch
from workbench.scoring.faithfulness import OfflineJudge
from workbench.store import Store

pytestmark = pytest.mark.adapters

PAYLOADS = ["<script>alert(1)</script>", '<img src=x onerror="alert(2)">']


def _generated(store: Store, corpus: Corpus, n: int = 4) -> list[Answer]:
    generate_batch(
        store,
        corpus,
        OfflineComposer(),
        "patient_answer@v1",
        list(corpus.questions[:n]),
        questions_source="t",
        progress=False,
    )
    score_batch(store, corpus, OfflineJudge(), progress=False)
    return store.answers()


def test_only_the_latest_approved_version_is_exported_and_skips_say_why(
    store: Store, corpus: Corpus
) -> None:
    a, b, c, d = _generated(store, corpus)
    record_decision(store, a.id, Decision.APPROVE, reviewer="Dr Ng")
    record_decision(store, b.id, Decision.REJECT, reviewer="Dr Ng", reason="wrong stage")
    record_decision(store, c.id, Decision.APPROVE, reviewer="Dr Ng")
    edit_answer(store, c.id, c.text.replace("##", "###", 1), reviewer="Dr Ng", reason="tidy")
    approved, skipped = select_approved(store, corpus)
    assert [x.answer.id for x in approved] == [a.id]
    assert approved[0].approval.reviewer == "Dr Ng" and approved[0].evaluations
    reasons = {s.question_id: s.reason for s in skipped}
    assert reasons[b.question_id].startswith("latest decision is reject by Dr Ng: wrong stage")
    assert "not approved yet" in reasons[c.question_id]
    assert reasons[d.question_id] == "not reviewed yet"


def test_an_approval_whose_text_changed_underneath_is_not_exported(
    store: Store, db: RawDB, corpus: Corpus
) -> None:
    (a, *_) = _generated(store, corpus, n=1)
    record_decision(store, a.id, Decision.APPROVE, reviewer="Dr Ng")
    db.execute("UPDATE answers SET text = 'Stop chemotherapy now.' WHERE id = ?", (a.id,))
    approved, skipped = select_approved(store, corpus)
    assert approved == [] and "changed after it was approved" in skipped[0].reason


def test_pages_jsonl_and_csv_of_an_approved_answer(
    store: Store, corpus: Corpus, tmp_path: Path
) -> None:
    (a, *_) = _generated(store, corpus, n=1)
    record_decision(store, a.id, Decision.APPROVE, reviewer="Dr Ng")
    result = write_approved(tmp_path, *select_approved(store, corpus))
    (row,) = [json.loads(line) for line in result.jsonl.read_text().splitlines()]
    assert row["answer_id"] == a.id and row["approved_by"] == "Dr Ng"
    assert row["meaning"] == "approved for patient use" and row["sources"]
    assert len(pd.read_csv(result.csv)) == 1
    page = result.pages[0].read_text()
    question = corpus.question(a.question_id)
    assert f"<h1>{question.text}</h1>" in page.replace("&#39;", "'")
    assert "<h2>How it works</h2>" in page and "not medical advice" in page
    assert re.search(r'<li id="source-1">.*<a href="https://', page)
    assert "patient_answer@v1" in page and "Dr Ng" in page and a.id in page


def test_no_payload_survives_as_markup(store: Store, corpus: Corpus, tmp_path: Path) -> None:
    question = corpus.questions[0]
    first = next(iter(corpus.excerpts))
    bad_excerpt = replace(corpus.excerpts[first], source_title=PAYLOADS[1], section=PAYLOADS[0])
    corpus = replace(
        corpus,
        excerpts={**corpus.excerpts, first: bad_excerpt},
        questions=(replace(question, text=f"Why {PAYLOADS[0]}?"), *corpus.questions[1:]),
    )
    store.ensure_run(Run("r", "p@v1", "fake", "m", "t"))
    text = f"## How it works {PAYLOADS[0]}\n{PAYLOADS[1]} claim [{first}].\n- {PAYLOADS[0]}"
    store.add_answer(Answer("a-x", "r", question.id, "p@v1", "fake", "m", text, (first,), (first,)))
    record_decision(store, "a-x", Decision.APPROVE, reviewer=PAYLOADS[1], reason=PAYLOADS[0])
    result = write_approved(tmp_path, *select_approved(store, corpus))
    page = result.pages[0].read_text()
    assert "<script" not in page and "<img" not in page and 'onerror="' not in page
    assert page.count("&lt;script&gt;") >= 4 and "&lt;img src=x onerror=" in page


def test_cli_decide_verify_agreement_and_export_approved(
    store: Store, store_location: str, db: RawDB, corpus: Corpus, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = _generated(store, corpus, n=2)
    s = ["--store", store_location]
    assert main(["decide", a.id, "--approve", "--reviewer", "Dr Ng", *s]) == 0
    assert main(["decide", a.id, "--approve", "--reviewer", "Dr Ali", *s]) == 0
    assert main(["decide", b.id, "--reject", "--reason", "dose", "--reviewer", "Dr Ng", *s]) == 0
    assert main(["decide", b.id, "--approve", "--reviewer", "Dr Ali", *s]) == 0
    assert main(["decide", b.id, "--reject", *s]) == 2
    assert "needs a reason" in capsys.readouterr().err
    assert main(["verify", *s]) == 0
    assert "4 decisions" in capsys.readouterr().out
    assert main(["agreement", *s]) == 0
    out = capsys.readouterr().out
    assert "cohen kappa" in out and f"disagreed on {b.id}" in out
    assert main(["export", "--approved", "--out", "out", "-q", *s]) == 0
    out = capsys.readouterr().out
    assert "exported 2 approved answers" in out
    db.drop_trigger("decision_log_no_update")
    db.execute("UPDATE decision_log SET reviewer = 'someone else' WHERE seq = 1")
    assert main(["verify", *s]) == 1
    assert "BROKEN at row 1" in capsys.readouterr().err


def test_excerpts_of_one_source_are_one_source_in_every_export(
    store: Store, corpus: Corpus, tmp_path: Path
) -> None:
    question = corpus.questions[0]
    first, second = list(corpus.excerpts)[:2]
    shared = corpus.excerpts[first]
    third = next(e.id for e in corpus.excerpts.values() if e.link != shared.link)
    corpus = replace(
        corpus,
        excerpts={
            **corpus.excerpts,
            second: replace(
                corpus.excerpts[second], source_title=shared.source_title, link=shared.link
            ),
        },
    )
    store.ensure_run(Run("r", "p@v1", "fake", "m", "t"))
    text = f"## How it works\nOne [{first}]. Two [{second}]. Three [{third}, {first}]."
    store.add_answer(
        Answer("a-x", "r", question.id, "p@v1", "fake", "m", text, (first, second, third), ())
    )
    record_decision(store, "a-x", Decision.APPROVE, reviewer="Dr Ng")
    result = write_approved(tmp_path, *select_approved(store, corpus))
    page = result.pages[0].read_text()
    assert page.count(f'<a href="{shared.link}">') == 1
    assert re.findall(r'<li id="source-(\d)">', page) == ["1", "2"]
    assert re.findall(r"<sup><a href=\"#source-(\d)\">", page) == ["1", "1", "2", "1"]
    (row,) = [json.loads(line) for line in result.jsonl.read_text().splitlines()]
    assert [s["excerpt_ids"] for s in row["sources"]] == [[first, second], [third]]
    assert pd.read_csv(result.csv)["sources"][0].count(shared.link) == 1
