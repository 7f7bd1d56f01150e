"""How much of a claim the sources hold: the offline judge's continuous support score.

Three measures, each a weighted share in 0..1 (rare words weigh more: `term_weight`,
from general English word frequencies, never from any data set; a number weighs as
much as the rarest word):

- *stated*: the share of the claim's content (words, numbers) that the sources state
  anywhere (a shared 5-letter stem prefix earns part credit: metastasis ~ metastatic);
- *together*: the share of the claim's neighbouring content-word pairs that the sources
  state within one sentence or two adjacent ones, so facts from different places cannot
  be glued into a new one;
- *local*: how much of the claim its single best evidence unit holds (`coverage`).

`support = stated x (together + local) / 2`: content that appears nowhere costs most,
content that appears only apart costs less. Long sources are handled sentence by
sentence; the index of a set of sources is built once and cached.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

from workbench.data.text import sentences
from workbench.scoring.evidence import PREFIX, Analysed, analyse

__all__ = ["NEAR_MATCH", "NUMBER_WEIGHT", "SourceIndex", "Support", "source_index", "support"]

NEAR_MATCH = 0.7  # credit for a shared stem prefix only
NUMBER_WEIGHT = 6.0  # = the weight of the rarest word (`term_weight`'s ceiling)
_EXCERPT_GAP = 2  # sentence positions between excerpts, so "adjacent" never crosses one


@dataclass(frozen=True, slots=True)
class SourceIndex:
    """Where each stem (and stem prefix) occurs, by sentence position, in a set of sources."""

    where: dict[str, tuple[int, ...]]
    prefix_where: dict[str, tuple[int, ...]]
    numbers: frozenset[float]


@dataclass(frozen=True, slots=True)
class Support:
    """A claim's support, and the three measures it is made of."""

    score: float
    stated: float
    together: float
    local: float


@lru_cache(maxsize=1024)
def source_index(texts: tuple[str, ...]) -> SourceIndex:
    """The index of a set of source texts (cached: the same sources serve many answers)."""
    where: dict[str, list[int]] = {}
    prefix_where: dict[str, list[int]] = {}
    numbers: set[float] = set()
    pos = 0
    for text in texts:
        for s in sentences(text):
            a = analyse(s.text)
            numbers |= a.numbers
            for t in a.stems:
                where.setdefault(t, []).append(pos)
                if len(t) >= PREFIX:
                    prefix_where.setdefault(t[:PREFIX], []).append(pos)
            pos += 1
        pos += _EXCERPT_GAP
    return SourceIndex(
        {k: tuple(v) for k, v in where.items()},
        {k: tuple(v) for k, v in prefix_where.items()},
        frozenset(numbers),
    )


def _positions(term: str, index: SourceIndex) -> tuple[tuple[int, ...], float]:
    exact = index.where.get(term)
    if exact:
        return exact, 1.0
    if len(term) >= PREFIX:
        near = index.prefix_where.get(term[:PREFIX])
        if near:
            return near, NEAR_MATCH
    return (), 0.0


def _close(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    """Whether two position lists hold positions at most one sentence apart."""
    i = j = 0
    while i < len(a) and j < len(b):
        if abs(a[i] - b[j]) <= 1:
            return True
        if a[i] < b[j]:
            i += 1
        else:
            j += 1
    return False


def support(claim: Analysed, index: SourceIndex, local: float) -> Support:
    """The support of an analysed claim against indexed sources; `local` is its best
    unit's coverage. A claim with no content words or numbers has no support."""
    total = stated = 0.0
    found: list[tuple[tuple[int, ...], float]] = []
    for term, weight in claim.terms.items():
        positions, credit = _positions(term, index)
        total += weight
        stated += weight * credit
        found.append((positions, weight))
    for n in claim.numbers:
        total += NUMBER_WEIGHT
        stated += NUMBER_WEIGHT if n in index.numbers else 0.0
    if total == 0:
        return Support(0.0, 0.0, 0.0, local)
    pair_total = pair_got = 0.0
    for (pa, wa), (pb, wb) in itertools.pairwise(found):
        if not pa or not pb:  # a word stated nowhere already costs in `stated`
            continue
        w = min(wa, wb)
        pair_total += w
        pair_got += w if _close(pa, pb) else 0.0
    together = pair_got / pair_total if pair_total else 1.0
    share = stated / total
    return Support(share * (together + local) / 2, share, together, local)
