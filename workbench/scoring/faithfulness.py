"""Faithfulness: the offline judge, claim by claim, with no model download.

Each claim is matched to its best evidence unit (an excerpt sentence, or two neighbours:
a claim may sum up both) by the weighted share of its content words the unit holds, rare
words weighing more. Then, in order:

1. a name (drug, gene, target, trial) that no excerpt uses: *not found*;
2. a number the unit does not state: *contradicted* if it states another, else *not found*;
3. too little of the claim in the unit: *not found*;
4. a name where the closest sentence names another: *contradicted* (a swap);
5. a negation or antonym that turns the unit around: *contradicted*;
6. more certainty than the unit has ("always" where it says "may"): *not found*;
7. otherwise *supported*.

Not found counts as unsupported (the medical default). `judge_faithfulness(answer,
excerpts)` and `judge_claims(claims, excerpts)` work on any text, outside our data sets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from workbench.data.text import stem, words
from workbench.models import ClaimVerdict, EvaluationStatus, Excerpt, Verdict
from workbench.scoring.base import FaithfulnessResult
from workbench.scoring.claims import Claim, split_claims
from workbench.scoring.evidence import EvidenceUnit, analyse, evidence_units
from workbench.scoring.lexicon import canonical
from workbench.scoring.matching import (
    certainty_gap,
    coverage,
    flips,
    name_in,
    norm,
    share_matched,
)

__all__ = [
    "JUDGE_NAME",
    "FaithfulnessResult",
    "OfflineJudge",
    "judge_claims",
    "judge_faithfulness",
]

JUDGE_NAME = "offline"
JUDGE_VERSION = "1"
FLAG_BELOW = 1.0  # the answer is flagged when its score is below this
DECISION = "flagged when any claim is not supported"
SUPPORT_THRESHOLD = 0.6  # share of the claim's weighted content the evidence must hold
MIN_TERMS_MATCHED = 0.5  # and at least this share of its content words, unweighted
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


def _judge_claim(
    claim: Claim, units: list[EvidenceUnit], ids: Sequence[str], evidence_text: str
) -> ClaimVerdict:
    c = analyse(claim.text)

    def verdict(v: Verdict, reason: str, unit: EvidenceUnit | None, cov: float) -> ClaimVerdict:
        return ClaimVerdict(
            claim=claim.text,
            span=claim.span,
            verdict=v,
            reason=reason,
            evidence_id=ids[unit.excerpt_index] if unit else None,
            evidence_sentence=unit.sentence if unit else None,
            judge=JUDGE_NAME,
            support_score=round(cov, 3),
        )

    if not units:
        return verdict(
            Verdict.NOT_FOUND, "There is no evidence to check this claim against.", None, 0.0
        )
    scored = [(coverage(c, u.analysed), u) for u in units]
    cov, best = _best(scored)
    if c.numbers:  # prefer a unit that states the claim's numbers, if it matches well
        stating = [p for p in scored if c.numbers <= p[1].analysed.numbers]
        if stating and _best(stating)[0] >= SUPPORT_THRESHOLD:
            cov, best = _best(stating)
    closest = max(
        _parts(best, units),
        key=lambda u: (c.numbers <= u.analysed.numbers, coverage(c, u.analysed)),
    )
    where = f"[{ids[best.excerpt_index]}]"
    quote = f"\u201c{best.sentence}\u201d"

    names = sorted(c.names - _COMMON_ABBREVIATIONS)
    unknown = [
        n
        for n in sorted(c.names | c.proper)
        if n not in _COMMON_ABBREVIATIONS and not name_in(n, evidence_text)
    ]
    if unknown:
        return verdict(Verdict.NOT_FOUND, f"'{unknown[0]}' is not named in any excerpt.", best, cov)
    differs = c.numbers - closest.analysed.numbers
    if differs and closest.analysed.numbers and cov >= SUPPORT_THRESHOLD / 2:
        said = ", ".join(_fmt(n) for n in sorted(closest.analysed.numbers))
        return verdict(
            Verdict.CONTRADICTED,
            f"The claim says {_fmt(min(differs))} where the evidence {where} says {said}: "
            f"\u201c{closest.sentence}\u201d",
            closest,
            cov,
        )
    unstated = c.numbers - best.analysed.numbers
    if unstated:
        return verdict(
            Verdict.NOT_FOUND,
            f"No excerpt states the number {_fmt(min(unstated))} about this.",
            best,
            cov,
        )
    if cov < SUPPORT_THRESHOLD or share_matched(c, best.analysed) < MIN_TERMS_MATCHED:
        return verdict(
            Verdict.NOT_FOUND,
            f"No excerpt says this; the closest sentence {where} holds {cov:.0%} of it: {quote}",
            best,
            cov,
        )
    closest_text = norm(closest.sentence)
    swapped = [n for n in names if not name_in(n, closest_text)]
    others = sorted(closest.analysed.names - c.names - _COMMON_ABBREVIATIONS)
    if swapped and others:
        return verdict(
            Verdict.CONTRADICTED,
            f"The evidence {where} names '{others[0]}' here, not '{swapped[0]}': {quote}",
            best,
            cov,
        )
    turned = flips(c, best.analysed, closest.analysed)
    if turned:  # a negation and an antonym rarely cancel; they usually flip two things
        return verdict(
            Verdict.CONTRADICTED,
            f"The evidence {where} says the opposite ({turned[0]}): {quote}",
            best,
            cov,
        )
    gap = certainty_gap(c, best.analysed)
    if gap:
        return verdict(
            Verdict.NOT_FOUND,
            f"The claim is surer than the evidence ('{_surface(claim.text, gap[0])}'); "
            f"{where} says: {quote}",
            best,
            cov,
        )
    return verdict(Verdict.SUPPORTED, f"Supported by {where}: {quote}", best, cov)


def _prepare(
    excerpts: Mapping[str, str] | Sequence[str],
) -> tuple[list[str], list[EvidenceUnit], str]:
    if isinstance(excerpts, Mapping):
        ids, texts = list(excerpts.keys()), tuple(excerpts.values())
    else:
        texts = tuple(excerpts)
        ids = [f"excerpt-{i + 1}" for i in range(len(texts))]
    return ids, evidence_units(texts), norm(" ".join(texts))


def judge_claims(
    claims: Sequence[str], excerpts: Mapping[str, str] | Sequence[str]
) -> list[ClaimVerdict]:
    """Judge claims that are already split (one statement each) against `excerpts`."""
    ids, units, evidence_text = _prepare(excerpts)
    return [_judge_claim(Claim(c, None), units, ids, evidence_text) for c in claims]


def judge_faithfulness(
    answer: str, excerpts: Mapping[str, str] | Sequence[str]
) -> FaithfulnessResult:
    """Judge every claim of `answer` against `excerpts` (texts, or texts by id).

    Returns the claim verdicts and the score: the share of claims supported. An answer
    with no checkable claim (a refusal, a bare referral) has status `no_claims` and no
    score: it is neither faithful nor unfaithful.
    """
    claims = split_claims(answer)
    if not claims:
        return FaithfulnessResult(EvaluationStatus.NO_CLAIMS, None, ())
    ids, units, evidence_text = _prepare(excerpts)
    verdicts = tuple(_judge_claim(c, units, ids, evidence_text) for c in claims)
    supported = sum(v.verdict.is_supported for v in verdicts)
    return FaithfulnessResult(
        EvaluationStatus.SCORED,
        supported / len(verdicts),
        verdicts,
        flagged=supported < len(verdicts),
    )


class OfflineJudge:
    """The offline faithfulness judge behind the `Judge` seam."""

    name = JUDGE_NAME

    def judge(self, answer_text: str, excerpts: Sequence[Excerpt]) -> FaithfulnessResult:
        """Judge an answer against the excerpts it was given."""
        return judge_faithfulness(answer_text, {e.id: e.text for e in excerpts})

    def verify(self, claims: Sequence[str], excerpts: Sequence[Excerpt]) -> list[ClaimVerdict]:
        """Judge already-split claims against the excerpts."""
        return judge_claims(claims, {e.id: e.text for e in excerpts})
