"""From claim verdicts to an answer's score and decision, fair to answers of any length.

Every claim carries a *weight* (its content: rarity-weighted words, numbers), a
*quality* in 0..1 (the geometric mean of its support, its own word overlap with the
sources and its alignment with one window of them) and, when it is not supported, a
*doubt* in 0..1 (one minus that mean, with support counted as a share of
`CLAIM_SUPPORT`; at least `CLEAR_DOUBT` for a clearly unfaithful claim, see below). A
supported claim has no doubt. Then

    score = sqrt((1 - share) x (1 - worst)) x (1 - TIE x (1 - best))

where `share` is the weight-averaged doubt over all claims (the share of the answer's
content that is in doubt, and how much), `worst` the largest single doubt and `best` the
quality of the best-supported claim (0 with none), which only orders answers that the
doubts leave level (a copied sentence above a looser paraphrase). Adding a supported
claim leaves `worst` as it was, can only lower `share` and can only raise `best`: a
faithful answer never scores lower for saying more (`tests/scoring/test_length_fair.py`
holds this with hypothesis).

The decision (`flagged`) keeps a clinician's flag on the one false sentence: any claim
that is *clearly* unfaithful flags the answer, however many true sentences surround it
(a contradiction, a name or number no source states, more certainty than the source, or
support below `INVENTED_BELOW`). Claims that are only weakly supported (support between
`INVENTED_BELOW` and `CLAIM_SUPPORT`: usually a paraphrase or a summary of several
sentences) flag the answer when they carry more than `POOL_SHARE` of its content.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from workbench.scoring.evidence import Analysed
from workbench.scoring.support import NUMBER_WEIGHT

__all__ = [
    "CLAIM_SUPPORT",
    "CLEAR_DOUBT",
    "INVENTED_BELOW",
    "POOL_SHARE",
    "TIE",
    "ClaimFinding",
    "Finding",
    "answer_score",
    "content_weight",
    "doubt",
    "flagged",
]

# A claim is supported only with at least this support (`workbench.scoring.support`);
# fixed on our gold claims of group A before any measurement on public text.
CLAIM_SUPPORT = 0.5
# Below this support a claim is invented, not paraphrased: it flags the answer alone.
INVENTED_BELOW = 0.2
# Weakly supported claims flag the answer when they hold more than this share of its content.
POOL_SHARE = 1 / 3
TIE = 0.1  # the best claim's part: it orders answers the doubts leave level
# A clearly unfaithful claim (a contradiction, an unknown name or number, an overclaim,
# an invention) is doubted at least this much, however much of it the sources word alike.
CLEAR_DOUBT = 0.3


class Finding(enum.Enum):
    """Why a claim got its verdict, as far as the answer's decision needs to know."""

    SUPPORTED = "supported"
    WEAK = "weakly supported"  # support in INVENTED_BELOW..CLAIM_SUPPORT
    INVENTED = "invented"  # support below INVENTED_BELOW
    UNNAMED = "a name no source uses"
    UNSTATED_NUMBER = "a number no source states"
    SURER = "surer than the source"
    CONTRADICTED = "contradicted"

    @property
    def clear(self) -> bool:
        """Whether this alone makes the answer unfaithful (flags it)."""
        return self not in (Finding.SUPPORTED, Finding.WEAK)


@dataclass(frozen=True, slots=True)
class ClaimFinding:
    """One claim as the aggregation sees it: its finding, weight, doubt and quality."""

    finding: Finding
    weight: float
    doubt: float
    quality: float = 0.0

    @classmethod
    def of(
        cls, finding: Finding, weight: float, support: float, overlap: float, alignment: float
    ) -> ClaimFinding:
        """A claim's finding with its doubt and quality worked out from its signals."""
        quality = float(max(0.0, support * overlap * alignment) ** (1 / 3))
        return cls(finding, weight, doubt(finding, support, overlap, alignment), quality)


def content_weight(claim: Analysed) -> float:
    """A claim's content: its rarity-weighted words and its numbers (at least 1)."""
    return max(1.0, sum(claim.terms.values()) + NUMBER_WEIGHT * len(claim.numbers))


def doubt(finding: Finding, support: float, overlap: float, alignment: float) -> float:
    """How far a claim is from supported (0 when supported, up to 1): one minus the
    geometric mean of its support (as a share of `CLAIM_SUPPORT`), its word overlap with
    the sources and its alignment with one window of them; at least `CLEAR_DOUBT` for a
    clearly unfaithful claim."""
    if finding is Finding.SUPPORTED:
        return 0.0
    parts = min(1.0, support / CLAIM_SUPPORT) * overlap * alignment
    found = 1.0 - float(max(0.0, parts) ** (1 / 3))
    return max(found, CLEAR_DOUBT) if finding.clear else found


def answer_score(claims: Sequence[ClaimFinding]) -> float:
    """The answer's score in 0..1 (1 when every claim is supported); see the module."""
    total = sum(c.weight for c in claims)
    if not claims or total <= 0:
        return 1.0
    share = sum(c.weight * c.doubt for c in claims) / total
    worst = max(c.doubt for c in claims)
    best = max((c.quality for c in claims if c.finding is Finding.SUPPORTED), default=0.0)
    return float(((1.0 - share) * (1.0 - worst)) ** 0.5 * (1.0 - TIE * (1.0 - best)))


def flagged(claims: Sequence[ClaimFinding]) -> bool:
    """The answer-level decision: any clearly unfaithful claim, or weakly supported
    claims holding more than `POOL_SHARE` of the content."""
    if any(c.finding.clear for c in claims):
        return True
    total = sum(c.weight for c in claims)
    weak = sum(c.weight for c in claims if c.finding is Finding.WEAK)
    return total > 0 and weak / total > POOL_SHARE
