"""Relevance where people see it: the gate, the desk's warning, the CSV rows, the report."""

from __future__ import annotations

import pytest

from workbench.cli.main import main
from workbench.reports.frame import frame
from workbench.scoring.relevance import OFF_TOPIC_RULE
from workbench.store import SQLiteStore


@pytest.fixture
def scored() -> None:
    assert main(["generate", "--prompt", "patient_answer@v2", "--limit", "8", "-q"]) == 0
    assert main(["score", "-q"]) == 0


def test_the_gate_checks_mean_relevance(scored: None, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["gate", "--min-relevance", "0.99"]) == 1
    out = capsys.readouterr().out
    assert "mean relevance" in out and "off topic)" in out and "FAIL" in out
    assert main(["gate", "--min-relevance", "0.1"]) == 0


def test_a_flagged_answer_is_a_warning_on_the_desk_and_a_row_in_the_csv(scored: None) -> None:
    with SQLiteStore("workbench.db") as store:
        evs = store.evaluations()
        rows = {r.answer_id: r for r in store.review_rows()}
        df = frame(store)
    flagged = [ev for ev in evs if ev.relevance and ev.relevance.flagged]
    assert flagged, "the demo's v2 answers include some that miss the ask"
    for ev in flagged:
        (finding,) = [f for f in ev.safety if f.rule_id == OFF_TOPIC_RULE]
        assert finding.message.startswith("does not answer the question")
        assert rows[ev.answer_id].warnings >= 1
    by_id = df.set_index("answer_id")
    for ev in evs:
        assert ev.relevance is not None
        assert by_id.loc[ev.answer_id, "relevance"] == ev.relevance.score
        assert bool(by_id.loc[ev.answer_id, "relevance_flagged"]) is ev.relevance.flagged
        assert OFF_TOPIC_RULE not in str(by_id.loc[ev.answer_id, "safety_rules"])
