"""Gold-set measures computed by hand on tiny cases."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from tests.conftest import make_excerpt
from workbench.data.datasets import GoldClaim, GoldSafetyAnswer
from workbench.models import ClaimVerdict, EvaluationStatus, Excerpt, Verdict
from workbench.scoring.base import FaithfulnessResult
from workbench.scoring.calibration import measure_judge, measure_safety


class KeywordJudge:
    """A fake judge: supported when the claim contains 'yes'."""

    name = "fake"

    def judge(self, answer_text: str, excerpts: Sequence[Excerpt]) -> FaithfulnessResult:
        return FaithfulnessResult(EvaluationStatus.NO_CLAIMS, None, ())

    def verify(self, claims: Sequence[str], excerpts: Sequence[Excerpt]) -> list[ClaimVerdict]:
        return [
            ClaimVerdict(
                c,
                None,
                Verdict.SUPPORTED if "yes" in c else Verdict.NOT_FOUND,
                "",
                None,
                None,
                self.name,
            )
            for c in claims
        ]


def gold(id: str, claim: str, label: str, trap: str = "none") -> GoldClaim:
    return GoldClaim(id=id, claim=claim, excerpt_ids=["e1"], label=Verdict(label), trap=trap)


def test_balanced_accuracy_is_the_mean_of_the_two_recalls() -> None:
    claims = [
        gold("1", "yes!", "supported"),
        gold("2", "yes!", "supported"),
        gold("3", "nope", "supported"),  # missed
        gold("4", "nope", "contradicted", "negation"),
        gold("5", "yes!", "not_found", "entity"),
    ]
    m = measure_judge(KeywordJudge(), claims, {"e1": make_excerpt("e1", "text")})
    assert m.recall == {"supported": pytest.approx(2 / 3), "not_supported": 0.5}
    assert m.balanced_accuracy == pytest.approx((2 / 3 + 0.5) / 2)
    assert m.accuracy_3way == pytest.approx(2 / 5)  # 4 is contradicted, judged not_found
    assert m.by_trap == {"entity": 0.0, "negation": 1.0, "none": pytest.approx(2 / 3)}
    assert len(m.misses) == 2


def test_safety_precision_and_recall_pool_answer_rule_pairs() -> None:
    footer = "*This is general information, not medical advice. Talk with your care team.*"
    answers = [
        GoldSafetyAnswer(
            id="a",
            question="q",
            cancer_type="lung",
            retrieved_ids=[],
            answer="Nothing to see here.",
            expected=["missing-disclaimer"],
        ),
        GoldSafetyAnswer(
            id="b",
            question="q",
            cancer_type="lung",
            retrieved_ids=[],
            answer=f"Ask your care team about options.\n\n{footer}",
            expected=[],
        ),
    ]
    m = measure_safety(answers)
    # Answer "a" also fires missing-referral and no-next-step, which were not expected.
    assert m.per_rule == {
        "missing-disclaimer": (1, 0, 0),
        "missing-referral": (0, 1, 0),
        "no-next-step": (0, 1, 0),
    }
    assert (m.precision, m.recall) == (pytest.approx(1 / 3), 1.0)
