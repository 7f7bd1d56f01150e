"""Agreement between clinicians: chance-corrected kappa on reviewers' decisions.

This module owns inter-rater agreement. Where two or more reviewers judged the same
answer version, it computes, per question set, Cohen's kappa (the same two reviewers on
every answer) or Fleiss' kappa (more reviewers, or different pairs), and lists the answers
they disagreed on. It reads and writes nothing: callers turn review decisions into
`Rating`s, in time order.

Sums are kept as exact fractions, so "everyone gave the same single label" (chance
agreement exactly 1, kappa undefined) is found exactly, not as a float of 0.9999999.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from fractions import Fraction

import pandas as pd

__all__ = [
    "COLUMNS",
    "NO_ITEMS",
    "UNDEFINED",
    "Agreement",
    "Rating",
    "agreement",
    "agreement_frame",
    "cohen_kappa",
    "fleiss_kappa",
]

NO_ITEMS = "no answer was judged by two or more reviewers"
UNDEFINED = "every reviewer gave the same single label: chance agreement is 1, kappa is undefined"


@dataclass(frozen=True, slots=True)
class Rating:
    """One reviewer's label on one answer version; a later rating supersedes an earlier one."""

    item_id: str  # the answer version judged
    rater: str  # the reviewer
    label: str  # e.g. "approve", "reject", "needs_edit"
    group: str = ""  # the question set the item belongs to


@dataclass(frozen=True, slots=True)
class Agreement:
    """Agreement within one question set.

    `method` is "cohen", "fleiss", or "" when nothing could be computed. `kappa`,
    `observed` and `expected` are None when they cannot be computed; `note` says why.
    `raters` counts the distinct reviewers over the items used. `disagreements` covers
    every answer with two or more reviewers, including any left out of kappa because
    their reviewer count differed: a disagreement is worth a clinician's look either way.
    """

    group: str
    method: str
    kappa: float | None
    items: int
    raters: int
    observed: float | None
    expected: float | None
    disagreements: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class _Stats:
    observed: Fraction
    expected: Fraction

    @property
    def kappa(self) -> float | None:
        if self.expected == 1:
            return None
        return float((self.observed - self.expected) / (1 - self.expected))


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Cohen's kappa for two raters, one `(first, second)` label pair per item.

    None when there are no pairs or chance agreement is 1 (both always gave one label).
    """
    stats = _cohen(pairs)
    return stats.kappa if stats else None


def fleiss_kappa(counts: Sequence[Mapping[str, int]]) -> float | None:
    """Fleiss' kappa: per item, label -> number of raters who gave it.

    Every item needs the same number n >= 2 of raters; otherwise ValueError names the
    item's index. None when there are no items or chance agreement is 1.
    """
    stats = _fleiss(counts)
    return stats.kappa if stats else None


def _cohen(pairs: Sequence[tuple[str, str]]) -> _Stats | None:
    n = len(pairs)
    if n == 0:
        return None
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    observed = Fraction(sum(a == b for a, b in pairs), n)
    expected = Fraction(sum(c * second[label] for label, c in first.items()), n * n)
    return _Stats(observed, expected)


def _fleiss(counts: Sequence[Mapping[str, int]]) -> _Stats | None:
    if not counts:
        return None
    n = _raters_per_item(counts)
    totals: Counter[str] = Counter()
    agreeing_pairs = 0
    for item in counts:
        totals.update(item)
        agreeing_pairs += sum(c * (c - 1) for c in item.values())
    given = len(counts) * n
    observed = Fraction(agreeing_pairs, len(counts) * n * (n - 1))
    expected = sum((Fraction(t, given) ** 2 for t in totals.values()), Fraction(0))
    return _Stats(observed, expected)


def _raters_per_item(counts: Sequence[Mapping[str, int]]) -> int:
    """The common number of raters per item, or ValueError naming the first bad item."""
    n = 0
    for i, item in enumerate(counts):
        if any(c < 0 for c in item.values()):
            raise ValueError(f"item {i}: label counts cannot be negative, got {dict(item)}")
        total = sum(item.values())
        if total < 2:
            raise ValueError(f"item {i} has {total} rater(s); Fleiss' kappa needs 2 or more")
        if i == 0:
            n = total
        elif total != n:
            raise ValueError(
                f"item {i} has {total} raters but item 0 has {n}; every item needs the same number"
            )
    return n


def agreement(ratings: Iterable[Rating]) -> list[Agreement]:
    """Agreement per question set, sorted by group; only each reviewer's latest rating counts.

    An item id is an item within its group: the same id under two groups is two items.
    """
    by_group: defaultdict[str, defaultdict[str, dict[str, str]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for r in ratings:
        by_group[r.group][r.item_id][r.rater] = r.label  # in time order: the latest wins
    return [_group_agreement(g, items) for g, items in sorted(by_group.items())]


def _group_agreement(group: str, items: Mapping[str, Mapping[str, str]]) -> Agreement:
    rated = {i: by_rater for i, by_rater in items.items() if len(by_rater) >= 2}
    disagreements = tuple(sorted(i for i, v in rated.items() if len(set(v.values())) > 1))
    notes = []
    if len(items) > len(rated):
        notes.append(f"{_answers(len(items) - len(rated))} judged by only one reviewer left out")
    if not rated:
        return Agreement(group, "", None, 0, 0, None, None, (), "; ".join([NO_ITEMS, *notes]))

    # Reviewer counts may differ between answers: keep the largest set with a common count
    # (ties go to more reviewers per answer), so every kappa term is over the same n.
    by_size = Counter(len(v) for v in rated.values())
    _, m = max((k, size) for size, k in by_size.items())
    used = [v for v in rated.values() if len(v) == m]
    if len(by_size) > 1:
        notes.append(
            f"reviewer counts differ: kappa uses the {_answers(len(used))} with {m} reviewers"
            f" each, {_answers(len(rated) - len(used))} with other counts left out"
        )
    raters = sorted({r for v in used for r in v})
    if m == 2 and len(raters) == 2:
        a, b = raters
        method, stats = "cohen", _cohen([(v[a], v[b]) for v in used])
    else:
        method, stats = "fleiss", _fleiss([Counter(v.values()) for v in used])
    assert stats is not None  # `used` is never empty here
    kappa = stats.kappa
    if kappa is None:
        notes.append(UNDEFINED)
    return Agreement(
        group=group,
        method=method,
        kappa=kappa,
        items=len(used),
        raters=len(raters),
        observed=float(stats.observed),
        expected=float(stats.expected),
        disagreements=disagreements,
        note="; ".join(notes),
    )


def _answers(k: int) -> str:
    return f"{k} answer" + ("" if k == 1 else "s")


_DTYPES = {
    "group": "object",
    "method": "object",
    "kappa": "Float64",  # nullable: a kappa that cannot be computed is <NA>, not NaN
    "items": "int64",
    "raters": "int64",
    "observed": "Float64",
    "expected": "Float64",
    "disagreements": "object",
    "note": "object",
}
COLUMNS = [f.name for f in fields(Agreement)]


def agreement_frame(ratings: Iterable[Rating]) -> pd.DataFrame:
    """`agreement` as a DataFrame, one row per group, columns as `Agreement`'s fields."""
    rows = [[getattr(a, c) for c in COLUMNS] for a in agreement(ratings)]
    return pd.DataFrame(rows, columns=COLUMNS).astype(_DTYPES)
