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
