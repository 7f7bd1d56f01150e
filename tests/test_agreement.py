"""Agreement between clinicians: kappa on hand-computable cases, and the per-group rules."""

from __future__ import annotations

import pytest

import workbench.review.agreement as agreement_module
from workbench.review.agreement import (
    COLUMNS,
    NO_ITEMS,
    UNDEFINED,
    Agreement,
    Rating,
    agreement,
    agreement_frame,
    cohen_kappa,
    fleiss_kappa,
)

# Fleiss (1971) as tabulated on Wikipedia: 10 subjects x 14 raters x 5 categories.
# P-bar = 0.378, P_e = 0.213, kappa = 0.210.
FLEISS_TABLE = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def _pairs(n_yy: int, n_yn: int, n_ny: int, n_nn: int) -> list[tuple[str, str]]:
    return [("y", "y")] * n_yy + [("y", "n")] * n_yn + [("n", "y")] * n_ny + [("n", "n")] * n_nn


def _rate(group: str, item: str, **labels: str) -> list[Rating]:
    return [Rating(item, rater, label, group) for rater, label in labels.items()]


# --- Cohen ---------------------------------------------------------------------------


def test_cohen_two_by_two_by_hand() -> None:
    # 10 items:          B yes  B no
    #           A yes      4      1     (A says yes 5 times)
    #           A no       2      3     (B says yes 6 times)
    # observed = (4 + 3) / 10 = 0.7
    # expected = 0.5 * 0.6 + 0.5 * 0.4 = 0.5
    # kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
    assert cohen_kappa(_pairs(4, 1, 2, 3)) == pytest.approx(0.4)


def test_cohen_wikipedia_example() -> None:
    # 50 items, 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no: p_o 0.7, p_e 0.5, kappa 0.4.
    assert cohen_kappa(_pairs(20, 5, 10, 15)) == pytest.approx(0.4)


def test_cohen_perfect_agreement_is_one() -> None:
    assert (
        cohen_kappa([("approve", "approve"), ("reject", "reject"), ("needs_edit", "needs_edit")])
        == 1.0
    )


def test_cohen_systematic_disagreement_is_negative() -> None:
    # observed 0, expected 0.5 -> kappa -1.
    kappa = cohen_kappa([("approve", "reject"), ("reject", "approve")])
    assert kappa == pytest.approx(-1.0)


def test_cohen_is_none_when_undefined_or_empty() -> None:
    assert cohen_kappa([("approve", "approve")] * 5) is None  # expected agreement is 1
    assert cohen_kappa([]) is None


# --- Fleiss --------------------------------------------------------------------------


def test_fleiss_1971_worked_example() -> None:
    counts = [{f"c{j}": n for j, n in enumerate(row)} for row in FLEISS_TABLE]
    assert fleiss_kappa(counts) == pytest.approx(0.210, abs=1e-3)


def test_fleiss_perfect_agreement_is_one() -> None:
    assert fleiss_kappa([{"approve": 3}, {"reject": 3}, {"approve": 3, "reject": 0}]) == 1.0


def test_fleiss_is_none_when_undefined_or_empty() -> None:
    assert fleiss_kappa([{"approve": 4}, {"approve": 4}]) is None
    assert fleiss_kappa([]) is None


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ([{"a": 3}, {"a": 1, "b": 1}], "item 1 has 2 raters but item 0 has 3"),
        ([{"a": 2}, {"a": 2}, {"a": 1}], "item 2 has 1 rater"),
        ([{"a": 1}], "item 0 has 1 rater"),
        ([{"a": 2}, {"a": 4, "b": -2}], "item 1: label counts cannot be negative"),
    ],
)
def test_fleiss_rejects_bad_counts_naming_the_item(
    counts: list[dict[str, int]], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        fleiss_kappa(counts)


# --- agreement() ---------------------------------------------------------------------


def test_two_reviewers_on_every_answer_use_cohen() -> None:
    ratings = [
        Rating(f"a{i}", rater, label)
        for i, pair in enumerate(_pairs(4, 1, 2, 3))
        for rater, label in zip(("ana", "ben"), pair, strict=True)
    ]
    [result] = agreement(ratings)
    assert result.method == "cohen"
    assert result.kappa == pytest.approx(0.4)
    assert (result.items, result.raters) == (10, 2)
    assert result.observed == pytest.approx(0.7)
    assert result.expected == pytest.approx(0.5)
    # the yes/no and no/yes rows: items 4, 5 and 6
    assert result.disagreements == ("a4", "a5", "a6")
    assert result.note == ""


def test_fleiss_worked_example_through_ratings() -> None:
    ratings = [
        Rating(f"s{i:02}", f"r{k}", label)
        for i, row in enumerate(FLEISS_TABLE)
        for k, label in enumerate(f"c{j}" for j, n in enumerate(row) for _ in range(n))
    ]
    [result] = agreement(ratings)
    assert result.method == "fleiss"
    assert result.kappa == pytest.approx(0.210, abs=1e-3)
    assert (result.items, result.raters) == (10, 14)
    assert result.observed == pytest.approx(0.378, abs=1e-3)
    assert result.expected == pytest.approx(0.213, abs=1e-3)
    assert result.disagreements == tuple(f"s{i:02}" for i in range(1, 10))  # s00 is unanimous


def test_different_pairs_of_reviewers_use_fleiss() -> None:
    ratings = _rate("", "q1", ana="approve", ben="approve") + _rate(
        "", "q2", ben="reject", cat="approve"
    )
    [result] = agreement(ratings)
    assert result.method == "fleiss"
    assert result.raters == 3
    assert result.disagreements == ("q2",)


def test_latest_rating_of_each_reviewer_wins() -> None:
    ratings = [
        Rating("q1", "ana", "reject"),
        Rating("q1", "ben", "approve"),
        Rating("q2", "ana", "approve"),
        Rating("q2", "ben", "reject"),
        Rating("q1", "ana", "approve"),  # ana changes her mind on q1
        Rating("q2", "ben", "approve"),  # ben changes his on q2
    ]
    [result] = agreement(ratings)
    assert result.disagreements == ()
    assert result.items == 2
    assert result.observed == 1.0
    # everyone now says approve to everything: kappa undefined, observed still reported
    assert result.kappa is None
    assert UNDEFINED in result.note


def test_answers_with_one_reviewer_are_left_out_and_counted() -> None:
    ratings = [
        *_rate("", "q1", ana="approve", ben="approve"),
        *_rate("", "q2", ana="approve", ben="reject"),
        *_rate("", "q3", ana="reject"),
        *_rate("", "q4", ben="reject"),
        Rating("q5", "ana", "reject"),
        Rating("q5", "ana", "approve"),  # one reviewer twice is still one reviewer
    ]
    [result] = agreement(ratings)
    assert result.items == 2
    assert result.disagreements == ("q2",)
    assert "3 answers judged by only one reviewer left out" in result.note


def test_groups_are_separate_and_sorted() -> None:
    ratings = [
        *_rate("lung", "q1", ana="approve", ben="reject"),
        *_rate("breast", "q1", ana="approve", ben="approve"),
        *_rate("breast", "q2", ana="reject", ben="reject"),
    ]
    breast, lung = agreement(ratings)
    assert (breast.group, lung.group) == ("breast", "lung")
    assert breast.kappa == 1.0
    assert breast.disagreements == ()
    assert lung.disagreements == ("q1",)  # the same id in another group is another item
    assert lung.items == 1


def test_mixed_reviewer_counts_use_the_largest_common_subset() -> None:
    ratings = [
        *_rate("", "q1", ana="approve", ben="approve", cat="approve"),
        *_rate("", "q2", ana="reject", ben="reject", cat="approve"),
        *_rate("", "q3", ana="reject", ben="reject", cat="reject"),
        *_rate("", "q4", ana="approve", ben="reject"),
    ]
    [result] = agreement(ratings)
    assert result.method == "fleiss"
    assert (result.items, result.raters) == (3, 3)
    # the same three answers alone give the same kappa
    expected = fleiss_kappa([{"approve": 3}, {"reject": 2, "approve": 1}, {"reject": 3}])
    assert result.kappa == pytest.approx(expected)
    assert "3 answers with 3 reviewers each, 1 answer with other counts left out" in result.note
    # q4 was left out of kappa but is still a disagreement worth a look
    assert result.disagreements == ("q2", "q4")


def test_mixed_subset_of_one_pair_uses_cohen() -> None:
    ratings = [
        *_rate("", "q1", ana="approve", ben="approve"),
        *_rate("", "q2", ana="reject", ben="approve"),
        *_rate("", "q3", ana="approve", ben="reject", cat="reject"),
    ]
    [result] = agreement(ratings)
    assert result.method == "cohen"
    assert result.items == 2
    assert result.kappa == cohen_kappa([("approve", "approve"), ("reject", "approve")])


def test_no_answer_with_two_reviewers_is_a_value() -> None:
    [result] = agreement(_rate("", "q1", ana="approve") + _rate("", "q2", ben="reject"))
    assert result.kappa is None
    assert result.observed is None and result.expected is None
    assert (result.items, result.raters, result.method) == (0, 0, "")
    assert result.note.startswith(NO_ITEMS)
    assert "2 answers judged by only one reviewer" in result.note


def test_no_ratings_gives_no_groups() -> None:
    assert agreement([]) == []


def test_decision_enum_values_work_as_labels() -> None:
    from workbench.models import Decision

    ratings = [
        Rating("q1", "ana", Decision.APPROVE),
        Rating("q1", "ben", "approve"),
        Rating("q2", "ana", Decision.REJECT),
        Rating("q2", "ben", "reject"),
    ]
    [result] = agreement(ratings)
    assert result.kappa == 1.0


# --- the frame -----------------------------------------------------------------------


def test_frame_has_one_row_per_group() -> None:
    ratings = [
        *_rate("lung", "q1", ana="approve", ben="reject"),
        *_rate("breast", "q1", ana="approve", ben="approve"),
        *_rate("breast", "q2", ana="reject", ben="reject"),
        *_rate("colon", "q1", ana="approve"),
    ]
    df = agreement_frame(ratings)
    assert list(df.columns) == COLUMNS
    assert list(df["group"]) == ["breast", "colon", "lung"]
    assert df["kappa"].isna().tolist() == [False, True, False]  # colon: nobody second-read
    assert df["kappa"].dtype == "Float64"  # missing is <NA>, not NaN
    assert df.loc[0, "kappa"] == 1.0
    assert df.loc[2, "kappa"] == 0.0  # lung: observed 0, expected 0
    assert str(df.loc[1, "note"]).startswith(NO_ITEMS)
    assert df.loc[2, "disagreements"] == ("q1",)
    assert df.loc[2, "items"] == 1


def test_frame_of_nothing_is_empty_with_columns() -> None:
    df = agreement_frame([])
    assert df.empty
    assert list(df.columns) == COLUMNS


def test_public_names() -> None:
    assert set(agreement_module.__all__) >= {
        "Agreement",
        "Rating",
        "agreement",
        "agreement_frame",
        "cohen_kappa",
        "fleiss_kappa",
    }
    for name in agreement_module.__all__:
        obj = getattr(agreement_module, name)
        assert isinstance(obj, str | list) or obj.__doc__, name
    assert [f for f in Agreement.__dataclass_fields__] == COLUMNS
