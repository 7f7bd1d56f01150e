"""Prompt comparison on hand-made evaluations whose differences are known."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from workbench.cli.main import main
from workbench.data.datasets import Corpus
from workbench.errors import ConfigError
from workbench.models import (
    Answer,
    Evaluation,
    EvaluationStatus,
    Run,
    SafetyFinding,
    Severity,
)
from workbench.reports.compare import compare_runs, resolve_run
from workbench.store import SQLiteStore, Store

# question -> (faithfulness in A, in B, rules in A, rules in B, grade A, grade B)
CASES = {
    "q1": (0.5, 1.0, {"missing-disclaimer"}, set(), 9.0, 7.0),
    "q2": (1.0, 1.0, set(), set(), 8.0, 8.0),
    "q3": (1.0, 0.75, set(), {"cure-guarantee"}, 7.0, 7.0),
    "q4": (0.25, 0.5, set(), set(), 10.0, 9.0),
}


def _finding(rule: str) -> SafetyFinding:
    return SafetyFinding(rule, Severity.WARN, "m", "h")


def _fill(store: Store) -> None:
    for run in ("A", "B"):
        store.ensure_run(Run(run, f"p@{run}", "offline", "m", "t"))
    for qid, (fa, fb, ra, rb, ga, gb) in CASES.items():
        for run, f, rules, grade in (("A", fa, ra, ga), ("B", fb, rb, gb)):
            aid = f"{run}-{qid}"
            store.add_answer(
                Answer(aid, run, qid, f"p@{run}", "offline", "m", f"text {aid}", (), ())
            )
            store.add_evaluation(
                Evaluation(
                    aid,
                    "offline",
                    EvaluationStatus.SCORED,
                    f,
                    (),
                    tuple(_finding(r) for r in sorted(rules)),
                    grade,
                    grade,
                )
            )
    store.add_answer(Answer("A-only", "A", "q9", "p@A", "offline", "m", "t", (), ()))


def test_paired_differences_outcomes_rule_changes_and_movers(store: Store, corpus: Corpus) -> None:
    _fill(store)
    c = compare_runs(store, corpus, "A", "B")
    # differences B - A: +0.5, 0, -0.25, +0.25 -> mean 0.125
    assert c.faithfulness.mean == pytest.approx(0.125) and c.faithfulness.n == 4
    assert c.faithfulness.low is not None and c.faithfulness.low <= 0.125 <= c.faithfulness.high
    assert (c.outcome.wins, c.outcome.losses, c.outcome.ties) == (2, 1, 1)
    assert c.grade.mean == pytest.approx(-0.75)  # (-2 + 0 + 0 - 1) / 4
    assert c.unpaired == 1
    rules = c.rule_changes.set_index("rule")
    assert rules.loc["missing-disclaimer"].tolist() == [1, 0, 0, 1]
    assert rules.loc["cure-guarantee"].tolist() == [0, 1, 1, 0]
    assert c.rows["question_id"].tolist()[:2] == ["q1", "q3"]  # moved most first
    assert c.rows.loc[0, "answer_a"] == "text A-q1" and c.rows.loc[0, "answer_b"] == "text B-q1"
    assert c.rows.loc[1, "rules_started"] == "cure-guarantee"


def test_runs_without_shared_questions_are_refused(store: Store, corpus: Corpus) -> None:
    _fill(store)
    store.ensure_run(Run("C", "p@C", "offline", "m", "t"))
    store.add_answer(Answer("C-x", "C", "qx", "p@C", "offline", "m", "t", (), ()))
    with pytest.raises(ConfigError, match="share no question"):
        compare_runs(store, corpus, "A", "C")
    with pytest.raises(ConfigError, match="has no answers"):
        compare_runs(store, corpus, "A", "nope")


def test_a_prompt_version_resolves_to_its_only_run() -> None:
    runs = [Run("A", "p@1", "offline", "m", "t"), Run("B", "p@2", "offline", "m", "t")]
    assert resolve_run(runs, "p@1") == "A"
    assert resolve_run(runs, "B") == "B"
    twice = [*runs, Run("A2", "p@1", "openai", "x", "t")]
    with pytest.raises(ConfigError, match=r"names 2 runs.*A, A2"):
        resolve_run(twice, "p@1")
    with pytest.raises(ConfigError, match=r"no run or prompt version 'p@3'.*known: A, A2, B"):
        resolve_run(twice, "p@3")


def _fill_as(store: Store, judge: str, runs: tuple[str, ...] = ("A", "B")) -> None:
    """Two runs on two questions, scored by `judge` only; B's second answer failed."""
    for run in runs:
        store.ensure_run(Run(run, f"p@{run}", "openai", "m", "t"))
        for n, score in enumerate((0.5, None if run == "B" else 1.0)):
            aid = f"{run}-{n}"
            store.add_answer(Answer(aid, run, f"q{n}", f"p@{run}", "openai", "m", "text", (), ()))
            status = EvaluationStatus.JUDGE_FAILED if score is None else EvaluationStatus.SCORED
            store.add_evaluation(Evaluation(aid, judge, status, score, (), (), None, None))


def test_compare_uses_the_judge_present_and_prints_no_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.db"
    with SQLiteStore(path) as store:
        _fill_as(store, "ragas:gpt-4o-mini")
    args = ["compare", "p@A", "p@B", "--store", str(path), "--out", str(tmp_path / "out")]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "(judge ragas:gpt-4o-mini)" in out and "offline" not in out
    assert "None" not in out and "nan" not in out
    assert "faithfulness 1.00 -> not scored, grade not scored -> not scored" in out
    assert "1 questions scored in both" in out
    assert main([*args, "--judge", "offline"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "judge 'offline' scored none" in err and "judges there: ragas:gpt-4o-mini" in err


def test_compare_with_two_judges_asks_for_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.db"
    with SQLiteStore(path) as store:
        _fill_as(store, "offline")
        for ev in store.evaluations():
            store.add_evaluation(replace(ev, judge="ragas:m"))
    args = ["compare", "p@A", "p@B", "--store", str(path), "--out", str(tmp_path / "out")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "several judges" in err and "offline, ragas:m" in err
    assert main([*args, "--judge", "ragas:m"]) == 0
