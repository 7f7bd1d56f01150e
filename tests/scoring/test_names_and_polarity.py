"""The offline judge reads names, negations and certainty as English does: an acronym its
source spells out, a proper word inflected, "unclear" as "not clear", "No. 1" as a
number, one universal for another. Each case also holds the trap on its other side."""

from __future__ import annotations

import pytest

from workbench import Verdict, judge_claims
from workbench.scoring.evidence import analyse, names_in
from workbench.scoring.lexicon import numbers_in
from workbench.scoring.matching import certainty_gap, flips, initialisms


def verdict(claim: str, evidence: str) -> Verdict:
    (v,) = judge_claims([claim], [evidence])
    return v.verdict


def test_an_acronym_the_source_spells_out_is_a_name_it_uses() -> None:
    evidence = "The Food and Drug Administration approved the drug for adults in 2020."
    assert "fda" in initialisms(evidence)
    assert verdict("The FDA approved the drug for adults in 2020.", evidence) is Verdict.SUPPORTED
    assert verdict("The EMA approved the drug for adults in 2020.", evidence) is Verdict.NOT_FOUND


def test_a_proper_word_inflected_from_the_source_is_named() -> None:
    evidence = "The trial enrolled patients in Korea who had stomach cancer."
    assert verdict("The trial enrolled Korean patients with stomach cancer.", evidence) is (
        Verdict.SUPPORTED
    )
    assert verdict("The trial enrolled Japanese patients with stomach cancer.", evidence) is (
        Verdict.NOT_FOUND
    )


def test_names_lose_plural_and_compound_tails_but_keep_their_own_hyphens() -> None:
    assert names_in("Two PACs funded US-led trials of PD-L1 drugs in HER2-positive cancer") >= {
        "pac",
        "us",
        "pd-l1",
        "her2",
    }


def test_a_rival_name_must_be_a_name_and_the_rest_must_match() -> None:
    evidence = "Nivolumab and ipilimumab are given together. Relatlimab is given with nivolumab."
    assert verdict("Relatlimab is given with ipilimumab.", evidence) is Verdict.CONTRADICTED
    # a Roman numeral or a two-letter token is not a rival name
    assert (
        verdict(
            "The CAR T-cell therapy showed responses in most patients.",
            "In a phase II study, the CAR T-cell therapy showed responses in most patients.",
        )
        is Verdict.SUPPORTED
    )


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        ("It is unclear whether the drug helps older patients.",
         "It is not clear whether the drug helps older patients."),
        ("Lung cancer is the leading cause of cancer death in men.",
         "Lung cancer is the No. 1 cause of cancer death in men, and the leading one."),
        ("The drug shrank tumors and eased pain.",
         "The drug not only shrank tumors but also eased pain."),
    ],
)  # fmt: skip
def test_wordings_of_the_same_polarity_do_not_flip(claim: str, evidence: str) -> None:
    assert flips(analyse(claim), analyse(evidence)) == []


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        ("The treatment is unsafe during pregnancy.", "The treatment is safe during pregnancy."),
        ("It is clear that the drug helps older patients.",
         "It is unclear whether the drug helps older patients."),
        ("Pancreatic cancer is easy to find early.", "Pancreatic cancer is hard to find early."),
        ("This side effect is seen often with the drug.",
         "This side effect is rarely seen with the drug."),
        ("The scan has found the tumor.", "The scan hasn't found the tumor."),
    ],
)  # fmt: skip
def test_opposite_wordings_flip(claim: str, evidence: str) -> None:
    assert flips(analyse(claim), analyse(evidence))


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        ("All patients get a scan after surgery.", "Every patient gets a scan after surgery."),
        ("Certain foods can raise the risk.", "Some foods may raise the risk."),
        ("Most people finish treatment without any lasting harm.",
         "Most people may finish treatment with no lasting harm."),
        ("Only 5 people in the trial had severe side effects.",
         "Just 5 people in the trial may have had severe side effects."),
        ("They'll be told the results within a week.", "They will be told the results within "
         "a week, and some may hear sooner."),
        ("The drug does not always shrink the tumor.", "The drug may shrink the tumor."),
        ("Not all patients need a second operation.", "Some patients may need a second "
         "operation."),
        ("Doctors asked whether the drug had ever caused liver damage.",
         "Doctors asked if the drug may cause liver damage."),
    ],
)  # fmt: skip
def test_same_certainty_in_other_words_is_no_overclaim(claim: str, evidence: str) -> None:
    assert certainty_gap(analyse(claim), analyse(evidence)) == []


@pytest.mark.parametrize(
    ("claim", "evidence", "word"),
    [
        ("The drug always shrinks the tumor.", "The drug may shrink the tumor.", "always"),
        ("The study proves the drug works.", "The study suggests the drug may work.", "proves"),
        ("Patients will feel any side effect at once.", "Patients may feel side effects.", "any"),
    ],
)
def test_more_certainty_than_the_source_is_an_overclaim(
    claim: str, evidence: str, word: str
) -> None:
    assert word in certainty_gap(analyse(claim), analyse(evidence))


def test_compound_number_words_are_one_number() -> None:
    assert numbers_in("Fifty-five patients and twenty one nurses took part.") == {55.0, 21.0}
