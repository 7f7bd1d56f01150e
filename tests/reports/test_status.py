"""Each answer's badges: what a reader must see, worst first."""

from __future__ import annotations

from datetime import UTC, datetime

from workbench.models import (
    Decision,
    Evaluation,
    EvaluationStatus,
    ReviewDecision,
    SafetyFinding,
    Severity,
)
from workbench.reports.status import answer_badges, question_status


def _decision(kind: Decision, overrides: tuple[str, ...] = ()) -> ReviewDecision:
    return ReviewDecision(
        "d1", 1, "a1", "sha", "dr a", "os:a", kind, "checked with the team", "approved",
        datetime(2026, 1, 1, tzinfo=UTC), "", "h", overrides=overrides,
    )  # fmt: skip


def test_an_approval_over_a_fail_shows_both_the_fail_and_the_override() -> None:
    fail = SafetyFinding("investigational-as-available", Severity.FAIL, "m", "h")
    ev = Evaluation("a1", "offline", EvaluationStatus.SCORED, 1.0, (), (fail,), 6.0, 7.0)
    badges = answer_badges(ev, _decision(Decision.APPROVE, ("investigational-as-available",)))
    assert [b.key for b in badges] == ["fail", "override", "approved"]
    plain = answer_badges(ev, _decision(Decision.APPROVE))
    assert [b.key for b in plain] == ["fail", "approved"]


def test_a_question_counts_its_answers_badges() -> None:
    ok = Evaluation("a1", "offline", EvaluationStatus.SCORED, 1.0, (), (), 6.0, 7.0)
    failed = Evaluation("a2", "offline", EvaluationStatus.JUDGE_FAILED, None, (), (), 6.0, 7.0)
    status = question_status([answer_badges(ok, None), answer_badges(failed, None, stale=True)])
    assert status.chips() == [
        ("judge-failed", "judge failed"), ("stale", "stale scores"),
        ("not-reviewed", "not reviewed × 2"),
    ]  # fmt: skip
    assert status.problems == 2 and status.worst is not None and status.worst.key == "judge-failed"
