"""Interpretive and hedged sentences are judged against the source's own findings and
conclusions: a framing lead-in is not content, a hedge that weakens is not an addition, a
caveat is not a claim, and a claim surer than its source is still flagged."""

from __future__ import annotations

from workbench import judge_claims, judge_faithfulness
from workbench.models import Verdict
from workbench.scoring.claims import split_claims

ABSTRACT = [
    "We followed 400 adults who walked daily after surgery for bowel cancer. Those who "
    "walked at least 30 minutes a day had fewer wound infections than those who did not. "
    "The results suggest that daily walking may lower the risk of wound infection after "
    "bowel surgery."
]


def test_a_framed_conclusion_is_judged_by_what_it_frames() -> None:
    (v,) = judge_claims(
        ["These findings suggest that daily walking may lower the risk of wound infection "
         "after bowel surgery."],
        ABSTRACT,
    )  # fmt: skip
    assert v.verdict is Verdict.SUPPORTED, v
    (w,) = judge_claims(
        ["This study indicates that walking every day may reduce wound infections after "
         "bowel surgery."],
        ABSTRACT,
    )  # fmt: skip
    assert w.verdict is Verdict.SUPPORTED, w


def test_a_caveat_is_not_a_claim_and_does_not_flag() -> None:
    answer = (
        "Daily walking may lower the risk of wound infection after bowel surgery. "
        "More studies are needed to confirm this."
    )
    assert len(split_claims(answer)) == 1
    result = judge_faithfulness(answer, ABSTRACT)
    assert not result.flagged, result


def test_a_framed_caveat_or_reported_finding_reads_as_what_it_frames() -> None:
    answer = (
        "The authors note that daily walking may lower the risk of wound infection after "
        "bowel surgery. These results suggest that larger trials are needed to confirm this."
    )
    (claim,) = split_claims(answer)  # the framed caveat is no claim
    assert claim.text.startswith("The authors note")
    result = judge_faithfulness(answer, ABSTRACT)
    assert not result.flagged, result
    assert result.verdicts[0].verdict is Verdict.SUPPORTED


def test_a_hedge_that_weakens_is_not_an_addition() -> None:
    (v,) = judge_claims(
        ["Walking at least 30 minutes a day possibly led to fewer wound infections."], ABSTRACT
    )
    assert v.verdict is Verdict.SUPPORTED, v


def test_a_claim_surer_than_the_source_is_flagged() -> None:
    result = judge_faithfulness(
        "The study proves that daily walking lowers the risk of wound infection after "
        "bowel surgery.",
        ABSTRACT,
    )
    assert result.flagged
    (v,) = result.verdicts
    assert v.verdict is Verdict.NOT_FOUND and "surer" in v.reason, v
