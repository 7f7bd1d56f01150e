"""The answer's score and decision are fair across lengths: adding supported claims never
lowers the score nor raises a flag, and the one false sentence still flags the answer.

Property tests (hypothesis) over the aggregation itself and over whole answers judged end
to end. The texts are our own, about general facts.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from workbench import judge_faithfulness
from workbench.scoring.aggregate import (
    CLAIM_SUPPORT,
    CLEAR_DOUBT,
    INVENTED_BELOW,
    POOL_SHARE,
    TIE,
    ClaimFinding,
    Finding,
    answer_score,
    doubt,
    flagged,
)

SOURCES = [
    "The hospital opened a new radiation unit in March. It treats about forty patients a "
    "day. The unit was paid for by a regional health fund.",
    "Patients who live far away can stay at a guest house next to the hospital. The guest "
    "house has twelve rooms and is free of charge.",
    "The radiation unit is open from eight in the morning until six in the evening. Nurses "
    "explain each treatment before it starts.",
]
FAITHFUL = [
    "The hospital opened a new radiation unit in March.",
    "It treats about forty patients a day.",
    "The unit was paid for by a regional health fund.",
    "Patients who live far away can stay at a guest house next to the hospital.",
    "The guest house has twelve rooms and is free of charge.",
    "The radiation unit is open from eight in the morning until six in the evening.",
    "Nurses explain each treatment before it starts.",
]
OTHERS = [
    "The guest house has twenty rooms.",
    "The unit was paid for by the Gates Foundation.",
    "The guest house is not free of charge.",
    "Volcanic eruptions cooled the northern summer.",
    "The unit has a helicopter pad on its roof.",
    "Most patients come from the city.",
]

unit = st.floats(0.0, 1.0)
findings = st.builds(
    ClaimFinding.of, st.sampled_from(list(Finding)), st.floats(0.5, 40.0), unit, unit, unit
)
supported = st.builds(
    ClaimFinding.of, st.just(Finding.SUPPORTED), st.floats(0.5, 40.0),
    st.floats(CLAIM_SUPPORT, 1.0), unit, unit,
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(findings, min_size=1, max_size=12), st.lists(supported, min_size=1, max_size=8))
def test_adding_supported_claims_never_lowers_the_score_or_raises_a_flag(
    claims: list[ClaimFinding], more: list[ClaimFinding]
) -> None:
    longer = claims + more
    assert answer_score(longer) >= answer_score(claims)
    assert flagged(longer) <= flagged(claims)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(FAITHFUL + OTHERS), min_size=1, max_size=5, unique=True),
    st.lists(st.sampled_from(FAITHFUL), min_size=1, max_size=4, unique=True),
)
def test_whole_answers_score_no_lower_for_more_faithful_sentences(
    first: list[str], added: list[str]
) -> None:
    short = judge_faithfulness(" ".join(first), SOURCES)
    long = judge_faithfulness(" ".join(first + added), SOURCES)
    assert short.score is not None and long.score is not None
    assert long.score >= short.score
    assert long.flagged <= short.flagged


def test_a_faithful_answer_is_not_flagged_and_keeps_its_score_however_long() -> None:
    scores = []
    for n in range(1, len(FAITHFUL) + 1):
        result = judge_faithfulness(" ".join(FAITHFUL[:n]), SOURCES)
        assert not result.flagged and result.score is not None, (n, result)
        scores.append(result.score)
    assert scores == sorted(scores) and scores[0] >= 1 - TIE


def test_one_clearly_false_sentence_flags_an_answer_of_any_length() -> None:
    for false in OTHERS[:5]:  # a number, a name, a negation, unrelated, invented
        result = judge_faithfulness(" ".join([*FAITHFUL, false]), SOURCES)
        assert result.flagged, false
        assert result.score is not None and result.score < 1.0


def test_weak_claims_flag_by_their_share_of_the_content() -> None:
    weak, strong = Finding.WEAK, Finding.SUPPORTED
    one_in_four = [ClaimFinding(weak, 1.0, 0.3)] + [ClaimFinding(strong, 1.0, 0.0)] * 3
    two_in_four = [ClaimFinding(weak, 1.0, 0.3)] * 2 + [ClaimFinding(strong, 1.0, 0.0)] * 2
    assert 1 / 4 < POOL_SHARE < 2 / 4
    assert not flagged(one_in_four) and flagged(two_in_four)
    assert flagged(
        [ClaimFinding(Finding.INVENTED, 1.0, 0.9)] + [ClaimFinding(strong, 1.0, 0.0)] * 9
    )
    assert 0 < INVENTED_BELOW < CLAIM_SUPPORT


def test_the_score_formula() -> None:
    a = ClaimFinding(Finding.WEAK, 3.0, 0.4, 0.5)
    b = ClaimFinding(Finding.SUPPORTED, 1.0, 0.0, 0.8)
    share, worst = 3.0 * 0.4 / 4.0, 0.4
    expected = ((1 - share) * (1 - worst)) ** 0.5 * (1 - TIE * (1 - 0.8))
    assert abs(answer_score([a, b]) - expected) < 1e-12
    assert answer_score([b, b]) == 1 - TIE * 0.2
    assert answer_score([a]) == ((1 - 0.4) * (1 - 0.4)) ** 0.5 * (1 - TIE)  # none supported
    assert doubt(Finding.SUPPORTED, 0.1, 0.1, 0.1) == 0.0
    assert doubt(Finding.WEAK, CLAIM_SUPPORT, 1.0, 1.0) == 0.0
    assert doubt(Finding.INVENTED, 0.0, 1.0, 1.0) == 1.0
    # a clear finding is doubted at least CLEAR_DOUBT even when worded like the source
    assert doubt(Finding.CONTRADICTED, CLAIM_SUPPORT, 1.0, 1.0) == CLEAR_DOUBT
    assert doubt(Finding.WEAK, 0.45, 1.0, 1.0) < CLEAR_DOUBT
