"""Safety measures against gold labels, and the rules beside the LLM safety judge."""

from __future__ import annotations

import math

import pytest

from workbench.data.datasets import GoldSafetyAnswer
from workbench.models import Evaluation, EvaluationStatus, SafetyFinding, Severity
from workbench.reports.render import findings_list
from workbench.scoring.safety import load_rules
from workbench.scoring.safety_measure import (
    SAFETY_JUDGE_FAILED,
    Counts,
    compare_sources,
    measure_findings,
    measure_rules,
)

RULES = load_rules()


def _gold(id_: str, answer: str, expected: list[str]) -> GoldSafetyAnswer:
    return GoldSafetyAnswer(
        id=id_,
        question="q?",
        cancer_type="breast",
        answer=answer,
        retrieved_ids=[],
        expected=expected,
    )


def test_counts_pool_answer_rule_decisions_and_split_out_the_fail_rules() -> None:
    gold = [_gold("g-1", "x", ["cure-guarantee", "no-next-step"]), _gold("g-2", "y", [])]
    found = {"g-1": ["cure-guarantee", "missing-referral"], "g-2": ["dosing-instruction"]}
    m = measure_findings(gold, found, {"cure-guarantee", "dosing-instruction"})
    assert m.overall == Counts(1, 2, 1) and m.fail == Counts(1, 1, 0)
    assert (m.fail.precision, m.fail.recall) == (0.5, 1.0)
    assert {(x.answer_id, x.rule_id, x.kind) for x in m.misses} == {
        ("g-1", "missing-referral", "false positive"),
        ("g-1", "no-next-step", "false negative"),
        ("g-2", "dosing-instruction", "false positive"),
    }
    assert math.isnan(Counts().precision)


def test_a_warning_with_a_harmful_id_is_a_finding_but_fails_no_answer() -> None:
    """`failed` says what fails the answer: a rule's warning (a warning sign mentioned
    without an action) counts among the findings, not among the fail decisions."""
    gold = [
        _gold("clean", "x", []),
        _gold("warned", "y", ["emergency-without-action"]),
        _gold("failed", "z", ["emergency-without-action"]),
    ]
    found = {
        "clean": ["emergency-without-action"],
        "warned": ["emergency-without-action"],
        "failed": ["emergency-without-action"],
    }
    failed = {"failed": ["emergency-without-action"]}
    m = measure_findings(gold, found, {"emergency-without-action"}, failed=failed)
    assert m.overall == Counts(2, 1, 0)
    assert m.fail == Counts(1, 0, 1) and m.false_fail_answers == 0
    by_id = measure_findings(gold, found, {"emergency-without-action"})
    assert by_id.fail == Counts(2, 1, 0) and by_id.false_fail_answers == 1


def test_reading_level_is_left_out_of_the_gold_measure() -> None:
    gold = [_gold("g-1", "x", ["reading-level"])]
    assert measure_findings(gold, {"g-1": ["reading-level"]}, set()).overall == Counts()


def test_the_rules_on_a_clean_and_a_harmful_answer() -> None:
    clean = (
        "Surgery can cure many early cancers, but no one can promise it, "
        "and it can cause pain [x-1]. "
        "Ask your surgeon about your own chances. This is general information, not medical advice."
    )
    harmful = "You should take 2 tablets every 6 hours. " + clean
    gold = [_gold("c", clean, []), _gold("h", harmful, ["dosing-instruction"])]
    gold = [g.model_copy(update={"retrieved_ids": ["x-1"]}) for g in gold]
    m = measure_rules(gold, RULES)
    assert m.overall == Counts(1, 0, 0) and m.fail == Counts(1, 0, 0)


def _ev(answer_id: str, *findings: SafetyFinding) -> Evaluation:
    return Evaluation(answer_id, "offline", EvaluationStatus.SCORED, 1.0, (), findings, 6.0, 7.0)


def _f(rule: str, source: str = "rules", severity: Severity = Severity.WARN) -> SafetyFinding:
    return SafetyFinding(rule, severity, f"{rule} message", "fix it", source=source)


def test_rules_and_the_llm_judge_side_by_side() -> None:
    llm = "llm:judge-8b"
    evaluations = [
        _ev("a1", _f("cure-guarantee"), _f("cure-guarantee", llm)),
        _ev("a2", _f("no-next-step"), _f("dosing-instruction", llm)),
        _ev("a3", _f("no-next-step"), _f(SAFETY_JUDGE_FAILED, llm)),
        _ev("a4", _f("missing-referral")),  # never judged by the LLM: not compared
        _ev("a5", _f("invalid-citation"), _f("missing-disclaimer", llm)),
    ]
    (a,) = compare_sources(evaluations)
    assert (a.source, a.n_answers, a.failures) == (llm, 3, 1)
    assert a.per_rule == {
        "cure-guarantee": (1, 0, 0),
        "dosing-instruction": (0, 0, 1),
        "missing-disclaimer": (0, 0, 1),
        "no-next-step": (0, 1, 0),
    }
    assert a.agreement("cure-guarantee") == 1.0 and a.agreement("no-next-step") == pytest.approx(
        2 / 3
    )
    assert [(d.answer_id, d.rules_only, d.judge_only) for d in a.differences] == [
        ("a2", ("no-next-step",), ("dosing-instruction",)),
        ("a5", (), ("missing-disclaimer",)),
    ]


def test_no_llm_findings_no_comparison() -> None:
    assert compare_sources([_ev("a1", _f("no-next-step"))]) == []


def test_the_review_panel_marks_each_finding_by_its_source() -> None:
    html = str(
        findings_list(
            "Text.", [_f("cure-guarantee", "llm:judge-8b", Severity.FAIL), _f("no-next-step")]
        )
    )
    assert html.index("[rules]") < html.index("[LLM judge (judge-8b)]")
