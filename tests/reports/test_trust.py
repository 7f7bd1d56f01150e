import pandas as pd
import pytest

from workbench.reports.trust import judge_vs_reviewers


def test_judge_flags_against_reviewer_decisions() -> None:
    frame = pd.DataFrame(
        {
            "answer_id": ["a", "b", "c", "d", "e", "f"],
            "judge": ["offline"] * 6,
            "status": ["scored"] * 5 + ["judge_failed"],
            "any_unsupported": [True, False, True, False, False, True],
            "review_status": [
                "reject",
                "approve",
                "approve",
                "needs_edit",
                "not reviewed",
                "reject",
            ],
        }
    )
    (t,) = judge_vs_reviewers(frame)
    assert (t.answers, t.both_flagged, t.both_fine, t.judge_only, t.reviewer_only) == (
        4,
        1,
        1,
        1,
        1,
    )
    assert t.agreement == 0.5 and t.disagreements == ("c", "d")
    # observed .5; judge flags 2/4, reviewers 2/4 -> expected .5 -> kappa 0
    assert t.kappa == pytest.approx(0.0)
