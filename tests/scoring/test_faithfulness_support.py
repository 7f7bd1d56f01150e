"""The offline judge's continuous support, its answer score and its fixed decision.

The texts are our own, about general facts, so none of them comes from a public set.
"""

from __future__ import annotations

import pytest

from workbench import judge_claims, judge_faithfulness
from workbench.scoring.aggregate import INVENTED_BELOW
from workbench.scoring.evidence import analyse, evidence_units
from workbench.scoring.faithfulness import CLAIM_SUPPORT, FLAG_BELOW
from workbench.scoring.matching import coverage
from workbench.scoring.novelty import Signals, signals

SOURCES = [
    "The hospital opened a new radiation unit in March. It treats about forty patients a "
    "day. The unit was paid for by a regional health fund.",
    "Patients who live far away can stay at a guest house next to the hospital. The guest "
    "house has twelve rooms and is free of charge.",
]


def support_of(claim: str) -> float:
    (v,) = judge_claims([claim], SOURCES)
    assert v.support_score is not None
    return v.support_score


def test_support_falls_as_less_of_the_claim_is_in_the_sources() -> None:
    stated = support_of("The hospital opened a new radiation unit in March.")
    glued = support_of("The guest house was paid for by a regional health fund.")
    novel = support_of("The hospital opened a new heart surgery wing run by volunteers.")
    unrelated = support_of("Volcanic eruptions cooled the northern summer.")
    assert stated > glued > unrelated
    assert stated > novel > unrelated
    assert 0.0 <= unrelated < CLAIM_SUPPORT <= stated <= 1.0


def test_glued_facts_cost_support_even_when_every_word_is_stated() -> None:
    """Each word is in the sources, but 'guest house' and 'fund' never share a sentence."""
    apart = support_of("The guest house was paid for by a regional health fund.")
    together = support_of("The radiation unit was paid for by a regional health fund.")
    assert apart < together


def test_verdicts_and_support_tell_the_same_story() -> None:
    claims = [
        "The hospital opened a new radiation unit in March.",
        "The guest house has twelve rooms and is free of charge.",
        "The guest house has twenty rooms.",  # a number the sources do not state
        "The unit was paid for by the Gates Foundation.",  # a name no source uses
        "The guest house is not free of charge.",  # negation
        "Volcanic eruptions cooled the northern summer.",
    ]
    for v in judge_claims(claims, SOURCES):
        assert v.support_score is not None
        if v.verdict.is_supported:
            assert v.support_score >= CLAIM_SUPPORT, v
        else:
            assert v.support_score < CLAIM_SUPPORT, v
    verdicts = [v.verdict.is_supported for v in judge_claims(claims, SOURCES)]
    assert verdicts == [True, True, False, False, False, False]


def test_answer_score_is_driven_by_the_weakest_claim_and_ranks_answers() -> None:
    faithful = (
        "The hospital opened a new radiation unit in March. It treats about forty patients a "
        "day. Patients who live far away can stay at a free guest house next to the hospital."
    )
    one_bad = faithful.replace("forty", "four hundred")
    all_bad = "The hospital closed its radiation unit. The guest house charges a nightly fee."
    scores = [judge_faithfulness(a, SOURCES) for a in (faithful, one_bad, all_bad)]
    assert [r.flagged for r in scores] == [False, True, True]
    values = [r.score for r in scores]
    assert all(v is not None for v in values)
    assert values[0] > max(values[1], values[2])  # type: ignore[operator]
    two_bad = one_bad.replace("March", "May")
    worse = judge_faithfulness(two_bad, SOURCES).score
    assert worse is not None and worse < values[1]  # type: ignore[operator]


def test_overlap_and_alignment_signals() -> None:
    sources = (
        "The clinic opens at eight. It closes at noon on Fridays.",
        "Parking is free for patients. Visitors pay at the gate.",
    )
    together = signals(["Parking is free for patients."], sources)
    assert together == Signals(1.0, 1.0)
    # every word is in the sources, but no window of one source holds the claim
    scattered = signals(["Visitors pay at noon on Fridays."], sources)
    assert scattered.overlap == 1.0 and scattered.alignment < 0.7
    # the weakest claim drives alignment; an invented word lowers overlap
    mixed = signals(["The clinic opens at eight.", "Parking costs a fortune."], sources)
    assert mixed.alignment < 0.5 < mixed.overlap < 1.0
    assert signals([], sources) == Signals(1.0, 1.0)
    # the judge hands over each claim's best one- or two-sentence coverage: same result
    claims = ["The clinic opens at eight.", "Visitors pay at noon on Fridays."]
    near = [max(coverage(analyse(c), u.analysed) for u in evidence_units(sources)) for c in claims]
    assert signals(claims, sources, near) == signals(claims, sources)
    assert signals(["Parking is free."], ()) == Signals(0.0, 0.0)


def test_paraphrase_does_not_saturate_the_score() -> None:
    copied = judge_faithfulness("The guest house has twelve rooms.", SOURCES)
    reworded = judge_faithfulness("Twelve rooms are offered at the guest house.", SOURCES)
    assert copied.score is not None and reworded.score is not None
    assert copied.score > reworded.score


def test_flag_follows_the_documented_threshold() -> None:
    assert FLAG_BELOW == CLAIM_SUPPORT == 0.5
    result = judge_faithfulness(
        "The hospital opened a new radiation unit in March. The unit has a helicopter pad.",
        SOURCES,
    )
    weakest = min(v.support_score or 0.0 for v in result.verdicts)
    assert weakest < INVENTED_BELOW < FLAG_BELOW  # invented, not paraphrased: flags alone
    assert result.flagged


@pytest.mark.parametrize(
    ("answer", "flagged"),
    [
        ("Twelve.", False),  # a one-word answer is still checked
        ("Fifty.", True),
        ("Stay at the guest house for 12 nights.", False),  # advice with a number: checked
        ("Stay at the guest house for 30 nights.", True),
        ("Use of the guest house is free of charge.", False),  # a noun, not an instruction
    ],
)
def test_short_answers_and_numbered_advice_are_judged(answer: str, flagged: bool) -> None:
    result = judge_faithfulness(answer, SOURCES)
    assert result.score is not None and result.flagged is flagged, result


@pytest.mark.parametrize("answer", ["Yes.", "No.", "Please talk with your care team."])
def test_bare_replies_and_referrals_still_have_no_claims(answer: str) -> None:
    assert judge_faithfulness(answer, SOURCES).score is None
