"""Faithfulness: the offline judge, claim by claim, with no model download.

Each claim gets a continuous support score in 0..1 (`workbench.scoring.support`: how
much of its rarity-weighted content the sources state anywhere, times how well it holds
together in one or two source sentences) and a verdict, found in this order:

1. a name (drug, gene, person, place) that no excerpt uses: *not found*;
2. a number no excerpt states: *contradicted* if its closest sentence states another,
   else *not found*;
3. support below `CLAIM_SUPPORT`: *not found*;
4. a name where the closest sentence names another: *contradicted* (a swap);
5. a negation or antonym that turns the closest evidence sentence around: *contradicted*;
6. more certainty than the evidence has ("always" where it says "may"): *not found*;
7. otherwise *supported*.

A claim that is not supported keeps a support below the threshold (scaled down, halved
again when contradicted), so the scores and the verdicts tell the same story.

The answer's `score` (version 5) is the geometric mean of three signals, equal weights on
a log scale so that no signal's spread rules it and one near zero pulls the answer down:
the claims' part (3/4 the weakest claim's support, 1/4 the mean of all: one unsupported
sentence among many faithful ones pulls the answer down), the word overlap of its
claims with the sources, and the weakest claim's alignment with one window of source sentences
(`workbench.scoring.novelty`). The answer is `flagged` when any claim is not supported
(the decision of version 4: the score's own cut chosen on gold did not carry over to
public text, see docs/scoring.md). `CLAIM_SUPPORT` (0.5) was fixed on our gold claims of
group A before any measurement on public text: the strictest cut whose balanced accuracy
there is within 0.01 of the best (the best, 0.899 at 0.40-0.45; 0.892 at 0.5).

Not found counts as unsupported (the medical default). `judge_faithfulness(answer,
excerpts)` and `judge_claims(claims, excerpts)` work on any text, outside our data sets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

from workbench.data.text import stem, words
from workbench.models import ClaimVerdict, EvaluationStatus, Excerpt, Verdict
from workbench.scoring.base import FaithfulnessResult
from workbench.scoring.claims import Claim, split_claims
from workbench.scoring.evidence import EvidenceUnit, analyse, evidence_units
from workbench.scoring.lexicon import canonical
from workbench.scoring.matching import certainty_gap, coverage, flips, name_in, norm
from workbench.scoring.novelty import signals
from workbench.scoring.support import source_index
from workbench.scoring.support import support as claim_support

__all__ = [
    "CLAIM_SUPPORT",
    "DECISION",
    "FLAG_BELOW",
    "JUDGE_NAME",
    "JUDGE_VERSION",
    "FaithfulnessResult",
    "OfflineJudge",
    "answer_score",
    "claims_score",
    "judge_claims",
    "judge_faithfulness",
]

JUDGE_NAME = "offline"
JUDGE_VERSION = "5"
# A claim is supported only with at least this support (`workbench.scoring.support`);
# fixed on our gold claims of group A before any measurement on public text.
CLAIM_SUPPORT = 0.5
FLAG_BELOW = CLAIM_SUPPORT
DECISION = (
    f"flagged when any claim is not supported: its support is below {CLAIM_SUPPORT}, or it "
    "names, numbers, negates or overstates what the excerpts do not"
)
LOCAL_SUPPORT = 0.6  # a unit that states the claim's numbers is preferred from this coverage
WEAKEST_SHARE = 0.75  # the weakest claim's part in the answer's score
# Short capitals that are everyday abbreviations, not names of drugs or genes.
_COMMON_ABBREVIATIONS = frozenset({"er", "iv", "us", "uk", "md", "rn", "am", "pm", "ok", "tv"})


def _surface(text: str, stemmed: str) -> str:
    """The word of `text` whose (canonical) stem is `stemmed`, for readable reasons."""
    for w in words(text):
        if stem(w) == stemmed or canonical(stem(w)) == stemmed:
            return w
    return stemmed


def _fmt(number: float) -> str:
    return f"{number:g}"


def _best(scored: list[tuple[float, EvidenceUnit]]) -> tuple[float, EvidenceUnit]:
    return max(scored, key=lambda p: (p[0], -len(p[1].sentence)))


def _parts(unit: EvidenceUnit, units: list[EvidenceUnit]) -> list[EvidenceUnit]:
    """The single sentences a unit is made of (itself, unless it is a pair)."""
    if not unit.pair:
        return [unit]
    return [
        u
        for u in units
        if not u.pair and u.excerpt_index == unit.excerpt_index and u.sentence in unit.sentence
    ]


@lru_cache(maxsize=1024)
def _normed(sources: tuple[str, ...]) -> str:
    """All sources as one normalised text, for whole-word name tests (cached)."""
    return norm(" ".join(sources))


def _judge_claim(
    claim: Claim, units: list[EvidenceUnit], ids: Sequence[str], sources: tuple[str, ...]
) -> ClaimVerdict:
    return _judge(claim, units, ids, sources)[0]


def _judge(
    claim: Claim, units: list[EvidenceUnit], ids: Sequence[str], sources: tuple[str, ...]
) -> tuple[ClaimVerdict, float]:
    """The claim's verdict, and the coverage of its best unit (one or two sentences)."""
    c = analyse(claim.text)
    if not units:
        return ClaimVerdict(
            claim.text,
            claim.span,
            Verdict.NOT_FOUND,
            "There is no evidence to check this claim against.",
            None,
            None,
            JUDGE_NAME,
            support_score=0.0,
        ), 0.0
    scored = [(coverage(c, u.analysed), u) for u in units]
    cov, best = _best(scored)
    top = cov
    if c.numbers:  # prefer a unit that states the claim's numbers, if it matches well
        stating = [p for p in scored if c.numbers <= p[1].analysed.numbers]
        if stating and _best(stating)[0] >= LOCAL_SUPPORT:
            cov, best = _best(stating)
    closest = max(
        _parts(best, units),
        key=lambda u: (c.numbers <= u.analysed.numbers, coverage(c, u.analysed)),
    )
    index = source_index(sources)
    support = claim_support(c, index, cov).score

    def verdict(v: Verdict, reason: str, unit: EvidenceUnit | None) -> tuple[ClaimVerdict, float]:
        score = support
        if not v.is_supported:  # below the threshold, in the same order as before
            score = score * CLAIM_SUPPORT if score >= CLAIM_SUPPORT else score
            score *= 0.5 if v is Verdict.CONTRADICTED else 1.0
        return ClaimVerdict(
            claim=claim.text,
            span=claim.span,
            verdict=v,
            reason=reason,
            evidence_id=ids[unit.excerpt_index] if unit else None,
            evidence_sentence=unit.sentence if unit else None,
            judge=JUDGE_NAME,
            support_score=round(score, 4),
        ), top

    where = f"[{ids[best.excerpt_index]}]"
    quote = f"\u201c{best.sentence}\u201d"
    evidence_text = _normed(sources)
    names = sorted(c.names - _COMMON_ABBREVIATIONS)
    unknown = [
        n
        for n in sorted(c.names | c.proper)
        if n not in _COMMON_ABBREVIATIONS and not name_in(n, evidence_text)
    ]
    if unknown:
        return verdict(Verdict.NOT_FOUND, f"'{unknown[0]}' is not named in any excerpt.", best)
    absent = c.numbers - index.numbers  # a number stated elsewhere in the sources is not new
    if absent and closest.analysed.numbers and cov >= LOCAL_SUPPORT / 2:
        said = ", ".join(_fmt(n) for n in sorted(closest.analysed.numbers))
        return verdict(
            Verdict.CONTRADICTED,
            f"The claim says {_fmt(min(absent))} where the evidence {where} says {said}: "
            f"\u201c{closest.sentence}\u201d",
            closest,
        )
    if absent:
        return verdict(
            Verdict.NOT_FOUND, f"No excerpt states the number {_fmt(min(absent))}.", best
        )
    if support < CLAIM_SUPPORT:
        return verdict(
            Verdict.NOT_FOUND,
            f"Too little of this is in the excerpts (support {support:.2f}); "
            f"the closest sentence {where}: {quote}",
            best,
        )
    closest_text = norm(closest.sentence)
    swapped = [n for n in names if not name_in(n, closest_text)]
    others = sorted(closest.analysed.names - c.names - _COMMON_ABBREVIATIONS)
    if swapped and others:
        return verdict(
            Verdict.CONTRADICTED,
            f"The evidence {where} names '{others[0]}' here, not '{swapped[0]}': {quote}",
            best,
        )
    turned = flips(c, closest.analysed)
    if turned:  # a negation and an antonym rarely cancel; they usually flip two things
        return verdict(
            Verdict.CONTRADICTED,
            f"The evidence {where} says the opposite ({turned[0]}): {quote}",
            best,
        )
    gap = certainty_gap(c, best.analysed)
    if gap:
        return verdict(
            Verdict.NOT_FOUND,
            f"The claim is surer than the evidence ('{_surface(claim.text, gap[0])}'); "
            f"{where} says: {quote}",
            best,
        )
    return verdict(
        Verdict.SUPPORTED, f"Supported by {where} (support {support:.2f}): {quote}", best
    )


def claims_score(supports: Sequence[float]) -> float:
    """The claims' part of the answer's score: driven by the weakest claim (3/4 of it),
    the mean of all breaking ties between answers with the same weakest."""
    return WEAKEST_SHARE * min(supports) + (1 - WEAKEST_SHARE) * sum(supports) / len(supports)


def answer_score(supports: Sequence[float], overlap: float = 1.0, alignment: float = 1.0) -> float:
    """The answer's score: the geometric mean of its claims' part (`claims_score`), its
    word overlap with the sources and its weakest claim's alignment (all in 0..1)."""
    return float((claims_score(supports) * overlap * alignment) ** (1 / 3))


def _prepare(
    excerpts: Mapping[str, str] | Sequence[str],
) -> tuple[list[str], list[EvidenceUnit], tuple[str, ...]]:
    if isinstance(excerpts, Mapping):
        ids, texts = list(excerpts.keys()), tuple(excerpts.values())
    else:
        texts = tuple(excerpts)
        ids = [f"excerpt-{i + 1}" for i in range(len(texts))]
    return ids, evidence_units(texts), texts


def judge_claims(
    claims: Sequence[str], excerpts: Mapping[str, str] | Sequence[str]
) -> list[ClaimVerdict]:
    """Judge claims that are already split (one statement each) against `excerpts`."""
    ids, units, sources = _prepare(excerpts)
    return [_judge_claim(Claim(c, None), units, ids, sources) for c in claims]


def judge_faithfulness(
    answer: str, excerpts: Mapping[str, str] | Sequence[str]
) -> FaithfulnessResult:
    """Judge every claim of `answer` against `excerpts` (texts, or texts by id).

    Returns the claim verdicts, the score (`answer_score`) and the decision. An answer
    with no checkable claim (a refusal, a bare referral) has status `no_claims` and no
    score: it is neither faithful nor unfaithful.
    """
    claims = split_claims(answer)
    if not claims:
        return FaithfulnessResult(EvaluationStatus.NO_CLAIMS, None, ())
    ids, units, sources = _prepare(excerpts)
    judged = [_judge(c, units, ids, sources) for c in claims]
    verdicts = tuple(v for v, _ in judged)
    found = signals([v.claim for v in verdicts], sources, [top for _, top in judged])
    score = answer_score([v.support_score or 0.0 for v in verdicts], found.overlap, found.alignment)
    flagged = any(not v.verdict.is_supported for v in verdicts)
    return FaithfulnessResult(EvaluationStatus.SCORED, round(score, 4), verdicts, flagged=flagged)


class OfflineJudge:
    """The offline faithfulness judge behind the `Judge` seam."""

    name = JUDGE_NAME

    def judge(self, answer_text: str, excerpts: Sequence[Excerpt]) -> FaithfulnessResult:
        """Judge an answer against the excerpts it was given."""
        return judge_faithfulness(answer_text, {e.id: e.text for e in excerpts})

    def verify(self, claims: Sequence[str], excerpts: Sequence[Excerpt]) -> list[ClaimVerdict]:
        """Judge already-split claims against the excerpts."""
        return judge_claims(claims, {e.id: e.text for e in excerpts})
