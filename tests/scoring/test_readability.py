import pytest

from workbench.scoring.readability import readability, syllables


@pytest.mark.parametrize(
    ("word", "count"),
    [
        ("cat", 1),
        ("table", 2),
        ("cancer", 2),
        ("therapy", 3),
        ("chemotherapy", 5),
        ("make", 1),
        ("treated", 2),
        ("wanted", 2),
        ("boxes", 2),
        ("lymphocytes", 3),
        ("immune", 2),
    ],
)
def test_syllables_of_common_words(word: str, count: int) -> None:
    assert syllables(word) == count


def test_flesch_kincaid_matches_the_formula_by_hand() -> None:
    # 2 sentences, 8 words, 10 syllables: the cat sat down (4) / it was (2) very happy (4)
    r = readability("The cat sat down. It was very happy.")
    assert (r.words, r.sentences) == (8, 2)
    assert r.fk_grade == pytest.approx(0.39 * 4 + 11.8 * 10 / 8 - 15.59, abs=0.01)


def test_footer_headings_citations_and_drug_names_are_left_out() -> None:
    plain = readability("Doctors give drug [x-1]. It helps.")
    noisy = readability(
        "## How it works\nDoctors give pembrolizumab [x-1]. It helps.\n\n"
        "*This is general information, not medical advice. Please talk with your oncologist.*"
    )
    assert noisy.words == plain.words and noisy.fk_grade == plain.fk_grade


def test_no_prose_gives_no_grade_rather_than_zero() -> None:
    assert readability("## Heading only").fk_grade is None


# --- any layout: only the disclaimer sentence leaves ------------------------------------

PROSE = (
    "Chemotherapy uses strong drugs to kill cancer cells. It is often given in cycles. "
    "Each cycle has a rest period so your body can recover."
)
DISCLAIMERS = [
    "This is general information, not medical advice.",
    "Please note this is not professional medical advice.",
    "This is not a substitute for medical advice from your doctor.",
]


@pytest.mark.parametrize("disclaimer", DISCLAIMERS)
def test_one_paragraph_ending_in_a_disclaimer_counts_its_words(disclaimer: str) -> None:
    plain = readability(PROSE)
    one = readability(f"{PROSE} {disclaimer}")
    assert plain.words == 25 and one.words == plain.words
    assert one.fk_grade == plain.fk_grade and one.smog == plain.smog


def test_two_paragraphs_with_the_disclaimer_inside_the_second() -> None:
    text = (
        "Chemotherapy uses strong drugs to kill cancer cells.\n\n"
        "It is often given in cycles. This is general information, not medical advice. "
        "Each cycle has a rest period so your body can recover."
    )
    assert readability(text).words == readability(PROSE).words


def test_bulleted_and_sectioned_answers_are_scored_like_prose() -> None:
    bullets = (
        "- "
        + "\n- ".join(
            [
                "Chemotherapy uses strong drugs to kill cancer cells.",
                "It is often given in cycles.",
                "Each cycle has a rest period so your body can recover.",
            ]
        )
        + "\n\n*This is general information, not medical advice. Please talk with your team.*"
    )
    sections = (
        "## What it is\nChemotherapy uses strong drugs to kill cancer cells.\n\n"
        "## How it is given\nIt is often given in cycles. Each cycle has a rest period so your "
        "body can recover.\n\nThis is general information, not medical advice."
    )
    plain = readability(PROSE)
    for text in (bullets, sections):
        r = readability(text)
        assert (r.words, r.sentences, r.fk_grade, r.smog) == (
            plain.words,
            plain.sentences,
            plain.fk_grade,
            plain.smog,
        ), text


def test_a_star_bullet_holding_the_disclaimer_keeps_its_other_sentences() -> None:
    text = "* Chemotherapy uses strong drugs. This is not medical advice.\n* It is given in cycles."
    assert (
        readability(text).words
        == readability("Chemotherapy uses strong drugs. It is given in cycles.").words
    )


def test_the_reading_level_rule_fires_on_a_hard_one_paragraph_answer() -> None:
    from workbench.scoring.safety import check_safety

    hard = (
        "Chimeric antigen receptor therapy necessitates sophisticated individualized "
        "manufacturing and meticulous multidisciplinary supervision throughout administration. "
        "This is general information, not medical advice."
    )
    assert any(f.rule_id == "reading-level" for f in check_safety(hard))
