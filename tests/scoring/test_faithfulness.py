"""The offline judge on hand-made cases: each trap it must catch, and what it must let pass."""

from __future__ import annotations

import pytest

from workbench import EvaluationStatus, Verdict, judge_claims, judge_faithfulness

EVIDENCE = {
    "cart-1": "CAR T-cell therapy uses a patient's own T cells, a type of immune cell. "
    "The T cells are changed in a lab so they can find and attack cancer cells.",
    "cart-2": "CAR T-cell therapies are approved only for certain blood cancers, such as some "
    "leukemias, lymphomas and multiple myeloma. For breast cancer, CAR T-cell therapy is not "
    "approved and is only available in clinical trials.",
    "fever-1": "A fever of 100.4 °F (38 °C) or higher during chemotherapy can be a sign of a "
    "serious infection.",
    "all-1": "Adult acute lymphoblastic leukemia usually gets worse quickly if it is not treated.",
}


def verdict_of(claim: str) -> Verdict:
    (v,) = judge_claims([claim], EVIDENCE)
    return v.verdict


@pytest.mark.parametrize(
    "claim",
    [
        "CAR T-cell therapy uses a patient's own T cells.",
        "The T cells are modified in a laboratory so they can find cancer cells.",
        "For breast cancer, CAR T-cell therapy is only offered in clinical trials.",
        "A temperature of 100.4 °F or more during chemo can signal a serious infection.",
    ],
)
def test_stated_and_paraphrased_claims_are_supported(claim: str) -> None:
    assert verdict_of(claim) is Verdict.SUPPORTED


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        ("CAR T-cell therapy is approved for breast cancer.", Verdict.CONTRADICTED),  # negation
        ("A fever of 101 °F during chemotherapy can be a sign of infection.", Verdict.CONTRADICTED),
        ("CAR T-cell therapy for breast cancer targets HER3.", Verdict.NOT_FOUND),  # entity
        ("Pembrolizumab is approved for some leukemias.", Verdict.NOT_FOUND),  # drug name
        (
            "Adult acute lymphoblastic leukemia usually gets worse slowly if not treated.",
            Verdict.CONTRADICTED,
        ),  # antonym
        (
            "A fever during chemotherapy is always a sign of a serious infection.",
            Verdict.NOT_FOUND,
        ),  # overclaim
        ("Breast cancer screening should start at age 40.", Verdict.NOT_FOUND),  # unrelated
    ],
)
def test_traps_are_caught(claim: str, expected: Verdict) -> None:
    assert verdict_of(claim) is expected


def test_verdicts_carry_evidence_reason_and_the_claim_span() -> None:
    answer = (
        "## How it works\nCAR T-cell therapy uses a patient's own T cells [cart-1]. "
        "CAR T-cell therapy is approved for breast cancer [cart-2].\n\n"
        "## Questions to ask your care team\n- Is a trial right for me?\n\n"
        "*This is general information, not medical advice. Talk with your care team.*"
    )
    result = judge_faithfulness(answer, EVIDENCE)
    assert result.status is EvaluationStatus.SCORED
    assert [v.verdict for v in result.verdicts] == [Verdict.SUPPORTED, Verdict.CONTRADICTED]
    assert result.flagged
    supports = [v.support_score or 0.0 for v in result.verdicts]
    # the contradicted claim pulls the answer's score below the same answer told right
    right = answer.replace("therapy is approved", "therapy is not approved")
    faithful = judge_faithfulness(right, EVIDENCE)
    assert faithful.score is not None and not faithful.flagged
    assert result.score is not None and min(supports) <= result.score < faithful.score
    bad = result.verdicts[1]
    assert bad.evidence_id == "cart-2" and "not approved" in (bad.evidence_sentence or "")
    assert "opposite" in bad.reason
    assert bad.span is not None
    assert answer[bad.span.start : bad.span.end].startswith("CAR T-cell therapy is approved")


@pytest.mark.parametrize(
    "answer",
    [
        "I'm sorry, I can't answer that. Please talk with your oncologist.",
        "## Questions to ask your care team\n- What are my options?\n\n"
        "*This is general information, not medical advice.*",
    ],
)
def test_an_answer_without_checkable_claims_is_its_own_outcome(answer: str) -> None:
    result = judge_faithfulness(answer, EVIDENCE)
    assert result.status is EvaluationStatus.NO_CLAIMS
    assert result.score is None and result.verdicts == ()


def test_works_on_plain_lists_of_excerpt_texts() -> None:
    result = judge_faithfulness("The sky is green.", ["The sky is blue on a clear day."])
    assert result.verdicts[0].evidence_id == "excerpt-1"
    assert result.verdicts[0].verdict is not Verdict.SUPPORTED


def test_no_evidence_means_nothing_is_supported() -> None:
    result = judge_faithfulness("CAR T-cell therapy uses T cells.", [])
    assert result.score == 0.0 and result.flagged
    assert result.verdicts[0].verdict is Verdict.NOT_FOUND


GENERAL = [
    "The Eiffel Tower is a wrought-iron lattice tower on the Champ de Mars in Paris, France.",
    "The tower was the tallest man-made structure in the world until the Chrysler Building in "
    "New York City was finished in 1930.",
    "Non-small cell lung cancer is the most common kind of lung cancer.",
]


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        ("The tower is made of wrought iron.", Verdict.SUPPORTED),  # hyphenated in the evidence
        (
            "It was the tallest structure until the Empire State Building was finished in 1930.",
            Verdict.NOT_FOUND,
        ),  # a name no excerpt uses
        ("Small cell lung cancer is the most common kind of lung cancer.", Verdict.CONTRADICTED),
    ],
)
def test_general_text_compounds_and_proper_names(claim: str, expected: Verdict) -> None:
    (v,) = judge_claims([claim], GENERAL)
    assert v.verdict is expected, v.reason


def test_a_pair_of_sentences_states_what_either_one_states() -> None:
    from workbench.scoring.evidence import evidence_units

    single_a, single_b, pair = evidence_units(
        ("Rituximab is given through a vein. It lowers the risk by 40%.",)
    )
    assert pair.pair and not single_a.pair and not single_b.pair
    assert pair.sentence == f"{single_a.sentence} {single_b.sentence}"
    assert pair.analysed.stems == single_a.analysed.stems | single_b.analysed.stems
    assert pair.analysed.numbers == {40.0} and "rituximab" in pair.analysed.names
    assert pair.analysed.raw_stems == single_a.analysed.raw_stems + single_b.analysed.raw_stems


def test_a_claim_of_numbers_alone_does_not_sink_a_supported_answer() -> None:
    """A list item that is only a number has no words to align; its number is checked by
    its verdict, and the answer's score must agree with verdicts that all pass."""
    excerpts = ["Take 2 tablets with food, 4 times a day."]
    result = judge_faithfulness("Take 2 tablets with food.\n\n4.", excerpts)
    assert all(v.verdict is Verdict.SUPPORTED for v in result.verdicts)
    assert not result.flagged and result.score is not None and result.score > 0.5
    wrong = judge_faithfulness("Take 2 tablets with food.\n\n6.", excerpts)
    assert wrong.flagged and wrong.score is not None and wrong.score < result.score
