"""Faithfulness: the offline judge, claim by claim, with no model download.

Each claim gets a continuous support score in 0..1 (`workbench.scoring.support`: how
much of its rarity-weighted content the sources state anywhere, times how well it holds
together in one or two source sentences) and a verdict, found in this order:

1. a name (drug, gene, person, place) that no excerpt uses, as written, spelled out by its
   initials or (a capitalised word) inflected: *not found*;
2. a number no excerpt states: *contradicted* if its closest sentence states another,
   else *not found*;
3. support below `CLAIM_SUPPORT`: *not found*;
4. a name where the closest sentence names another and matches the rest: *contradicted*
   (a swap);
5. a negation or antonym that turns the closest evidence sentence around: *contradicted*;
6. more certainty than the evidence has ("always" where it says "may"): *not found*;
7. otherwise *supported*.

A claim that is not supported keeps a support below the threshold (scaled down, halved
again when contradicted), so the scores and the verdicts tell the same story.

The answer's `score` and decision (since version 6) come from `workbench.scoring.aggregate`:
the weight-averaged doubt of its claims and its most doubtful claim, so a faithful
answer does not score lower for having more claims; any clearly unfaithful claim
(contradicted, an unknown name or number, surer than the source, or invented) flags
the answer, and weakly supported claims flag it when they carry over a third of its
content. `CLAIM_SUPPORT` (0.5) was fixed on our gold claims of group A before any
measurement on public text: the strictest cut whose balanced accuracy there is within
0.01 of the best (the best, 0.899 at 0.40-0.45; 0.892 at 0.5).

Not found counts as unsupported (the medical default). `judge_faithfulness(answer,
excerpts)` and `judge_claims(claims, excerpts)` work on any text, outside our data sets.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from workbench.data.text import stem, words
from workbench.models import ClaimVerdict, EvaluationStatus, Excerpt, Verdict
from workbench.scoring.aggregate import (
    CLAIM_SUPPORT,
    INVENTED_BELOW,
    POOL_SHARE,
    ClaimFinding,
    Finding,
    answer_score,
    content_weight,
    flagged,
)
from workbench.scoring.base import FaithfulnessResult
from workbench.scoring.claims import Claim, split_claims
from workbench.scoring.evidence import PREFIX, EvidenceUnit, analyse, evidence_units
from workbench.scoring.lexicon import canonical
from workbench.scoring.matching import certainty_gap, coverage, flips, named, norm
from workbench.scoring.novelty import claim_signals
from workbench.scoring.support import SourceIndex, source_index
from workbench.scoring.support import support as claim_support
from workbench.scoring.tables import Table, as_facts, read_tables, row_reading

__all__ = [
    "CLAIM_SUPPORT",
    "DECISION",
    "FLAG_BELOW",
    "JUDGE_NAME",
    "JUDGE_VERSION",
    "FaithfulnessResult",
    "OfflineJudge",
    "answer_score",
    "claim_findings",
    "judge_claims",
    "judge_faithfulness",
]

JUDGE_NAME = "offline"
# 7: names, negations and certainty read as English does (acronyms spelled out, "unclear"
# = "not clear", boosters by the word and out of a negation's reach); the aggregation is 6's.
# Stored evaluations name the judge, not its version: `workbench score --rescore` re-judges.
JUDGE_VERSION = "7"
FLAG_BELOW = CLAIM_SUPPORT
DECISION = (
    "flagged when any claim contradicts the excerpts, names or numbers what they do not, "
    f"is surer than they are or has support below {INVENTED_BELOW}; or when claims with "
    f"support below {CLAIM_SUPPORT} carry more than {POOL_SHARE:.0%} of the answer's content"
)
# A name the closest sentence has instead of the claim's is a swap only when it is a name
# (three characters or more, not a Roman numeral: "ET", "II" are not rival names).
_SHORTEST_SWAP = 3
_ROMAN_NUMERAL_RE = re.compile(r"[ivxlc]+")
_INFLECTION = 3  # letters a capitalised word may add to a source's word ("Korea" -> "Korean")
LOCAL_SUPPORT = 0.6  # a unit that states the claim's numbers is preferred from this coverage
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


def _sources_name(name: str, sources: tuple[str, ...], index: SourceIndex, *, proper: bool) -> bool:
    """Whether the sources use a name: as written, spelled out by its initials ("NYPD"
    for "New York Police Department"), or, for a capitalised word, inflected
    ("Republicans" for "Republican", "Korean" for "Korea")."""
    if named(name, _normed(sources), " ".join(sources)):
        return True
    if not proper:
        return False
    if canonical(stem(name)) in index.where:
        return True
    return any(
        name[:-k] in index.where for k in range(1, _INFLECTION + 1) if len(name) - k >= PREFIX - 1
    )


@dataclass(frozen=True, slots=True)
class _Sources:
    """Excerpts ready to judge against: ids, evidence units, texts (tables as facts)."""

    ids: list[str]
    units: list[EvidenceUnit]
    texts: tuple[str, ...]
    tables: tuple[Table, ...]


@dataclass(frozen=True, slots=True)
class _Judged:
    verdict: ClaimVerdict
    finding: Finding
    top: float  # the coverage of its best unit (one or two sentences)
    weight: float  # its content (`content_weight`)


def _judge(claim: Claim, prepared: _Sources) -> _Judged:
    """The claim's verdict and finding, its best unit's coverage and its weight."""
    ids, units, sources = prepared.ids, prepared.units, prepared.texts
    c = analyse(claim.text)
    if not units:
        return _Judged(
            ClaimVerdict(
                claim.text,
                claim.span,
                Verdict.NOT_FOUND,
                "There is no evidence to check this claim against.",
                None,
                None,
                JUDGE_NAME,
                support_score=0.0,
            ),
            Finding.INVENTED,
            0.0,
            content_weight(c),
        )
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
    measured = claim_support(c, index, cov)
    support = measured.score
    reading = row_reading(c, prepared.tables) if prepared.tables else None
    if reading is not None and reading.wrong is None:
        support = max(support, measured.stated)  # a row read right holds together

    def verdict(finding: Finding, reason: str, unit: EvidenceUnit | None) -> _Judged:
        v = (
            Verdict.SUPPORTED
            if finding is Finding.SUPPORTED
            else Verdict.CONTRADICTED
            if finding is Finding.CONTRADICTED
            else Verdict.NOT_FOUND
        )
        score = support
        if not v.is_supported:  # below the threshold, in the same order as before
            score = score * CLAIM_SUPPORT if score >= CLAIM_SUPPORT else score
            score *= 0.5 if v is Verdict.CONTRADICTED else 1.0
        return _Judged(
            ClaimVerdict(
                claim=claim.text,
                span=claim.span,
                verdict=v,
                reason=reason,
                evidence_id=ids[unit.excerpt_index] if unit else None,
                evidence_sentence=unit.sentence if unit else None,
                judge=JUDGE_NAME,
                support_score=round(score, 4),
            ),
            finding,
            top,
            content_weight(c),
        )

    where = f"[{ids[best.excerpt_index]}]"
    quote = f"\u201c{best.sentence}\u201d"
    names = sorted(c.names - _COMMON_ABBREVIATIONS)
    unknown = [
        n
        for n in sorted(c.names | c.proper)
        if n not in _COMMON_ABBREVIATIONS
        and not _sources_name(n, sources, index, proper=n not in c.names)
    ]
    if unknown:
        return verdict(Finding.UNNAMED, f"'{unknown[0]}' is not named in any excerpt.", best)
    absent = c.numbers - index.numbers  # a number stated elsewhere in the sources is not new
    if absent and closest.analysed.numbers and cov >= LOCAL_SUPPORT / 2:
        said = ", ".join(_fmt(n) for n in sorted(closest.analysed.numbers))
        return verdict(
            Finding.CONTRADICTED,
            f"The claim says {_fmt(min(absent))} where the evidence {where} says {said}: "
            f"\u201c{closest.sentence}\u201d",
            closest,
        )
    if reading is not None and reading.wrong is not None:
        head, own, claimed = reading.wrong
        return verdict(
            Finding.CONTRADICTED,
            f"The table's row '{reading.row[0]}' gives {own} for {head or 'this'}, not {claimed}",
            best,
        )
    if absent:
        return verdict(
            Finding.UNSTATED_NUMBER, f"No excerpt states the number {_fmt(min(absent))}.", best
        )
    if support < CLAIM_SUPPORT:
        return verdict(
            Finding.INVENTED if support < INVENTED_BELOW else Finding.WEAK,
            f"Too little of this is in the excerpts (support {support:.2f}); "
            f"the closest sentence {where}: {quote}",
            best,
        )
    swapped = [n for n in names if not named(n, norm(closest.sentence), closest.sentence)]
    others = sorted(
        n
        for n in closest.analysed.names - c.names - _COMMON_ABBREVIATIONS
        if len(n) >= _SHORTEST_SWAP and not _ROMAN_NUMERAL_RE.fullmatch(n)
    )
    if swapped and others and cov >= LOCAL_SUPPORT:  # a swap: one name for another, the rest alike
        return verdict(
            Finding.CONTRADICTED,
            f"The evidence {where} names '{others[0]}' here, not '{swapped[0]}': {quote}",
            best,
        )
    turned = flips(c, closest.analysed)
    if turned:  # a negation and an antonym rarely cancel; they usually flip two things
        return verdict(
            Finding.CONTRADICTED,
            f"The evidence {where} says the opposite ({turned[0]}): {quote}",
            best,
        )
    gap = certainty_gap(c, best.analysed)
    if gap:
        return verdict(
            Finding.SURER,
            f"The claim is surer than the evidence ('{_surface(claim.text, gap[0])}'); "
            f"{where} says: {quote}",
            best,
        )
    return verdict(
        Finding.SUPPORTED, f"Supported by {where} (support {support:.2f}): {quote}", best
    )


def _prepare(excerpts: Mapping[str, str] | Sequence[str]) -> _Sources:
    if isinstance(excerpts, Mapping):
        ids, given = list(excerpts.keys()), tuple(excerpts.values())
    else:
        given = tuple(excerpts)
        ids = [f"excerpt-{i + 1}" for i in range(len(given))]
    texts = tuple(as_facts(t) for t in given)
    tables = tuple(t for text in given for t in read_tables(text))
    return _Sources(ids, evidence_units(texts), texts, tables)


def judge_claims(
    claims: Sequence[str], excerpts: Mapping[str, str] | Sequence[str]
) -> list[ClaimVerdict]:
    """Judge claims that are already split (one statement each) against `excerpts`."""
    prepared = _prepare(excerpts)
    return [_judge(Claim(c, None), prepared).verdict for c in claims]


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
    prepared = _prepare(excerpts)
    judged = [_judge(c, prepared) for c in claims]
    verdicts = tuple(j.verdict for j in judged)
    each = claim_signals([v.claim for v in verdicts], prepared.texts, [j.top for j in judged])
    findings = [
        ClaimFinding.of(
            j.finding, j.weight, j.verdict.support_score or 0.0, sig.overlap, sig.alignment
        )
        for j, sig in zip(judged, each, strict=True)
    ]
    return FaithfulnessResult(
        EvaluationStatus.SCORED,
        round(answer_score(findings), 4),
        verdicts,
        flagged=flagged(findings),
    )


def claim_findings(
    answer: str, excerpts: Mapping[str, str] | Sequence[str]
) -> list[tuple[ClaimVerdict, Finding, float]]:
    """Each claim's verdict with the finding the answer's decision sees and its content
    weight (for measuring which findings flag answers: `benchmarks/public_judges.py
    --findings`)."""
    prepared = _prepare(excerpts)
    judged = (_judge(c, prepared) for c in split_claims(answer))
    return [(j.verdict, j.finding, j.weight) for j in judged]


class OfflineJudge:
    """The offline faithfulness judge behind the `Judge` seam."""

    name = JUDGE_NAME

    def judge(self, answer_text: str, excerpts: Sequence[Excerpt]) -> FaithfulnessResult:
        """Judge an answer against the excerpts it was given."""
        return judge_faithfulness(answer_text, {e.id: e.text for e in excerpts})

    def verify(self, claims: Sequence[str], excerpts: Sequence[Excerpt]) -> list[ClaimVerdict]:
        """Judge already-split claims against the excerpts."""
        return judge_claims(claims, {e.id: e.text for e in excerpts})
