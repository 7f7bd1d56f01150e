"""ragas' statements and verdicts as the workbench's claim verdicts.

ragas rewrites an answer into standalone statements ("It is given through a vein"
becomes "CAR T-cell therapy is given through a vein") and judges each 0 or 1 with a
reason. For a clinician each statement is placed back on the answer sentence that holds
most of it (its span), and given the excerpt sentence that holds most of it (its
evidence), by the same weighted word overlap the offline judge uses. A 1 is *supported*;
a 0 is *not found*: ragas' verdict says "cannot be inferred", never which way it fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from workbench.data.text import content_stems, sentences
from workbench.models import ClaimVerdict, Excerpt, Span, Verdict
from workbench.scoring.evidence import Analysed, analyse
from workbench.scoring.matching import coverage

__all__ = ["StatementVerdict", "locate", "prime", "to_claim_verdicts"]

MIN_OVERLAP = 0.2  # below this share, a statement is not placed on any sentence


@dataclass(frozen=True, slots=True)
class StatementVerdict:
    """One of ragas' NLI verdicts, as plain data."""

    statement: str
    reason: str
    verdict: int


def locate(statement: str, answer: str) -> Span | None:
    """The span of the answer sentence that holds most of the statement's words, if any."""
    wanted = set(content_stems(statement))
    if not wanted:
        return None
    best: tuple[float, Span] | None = None
    for s in sentences(answer):
        if s.line_prefix.startswith("#"):
            continue  # a heading states nothing
        share = len(wanted.intersection(content_stems(s.text))) / len(wanted)
        if best is None or share > best[0]:
            best = (share, s.span)
    return best[1] if best and best[0] >= MIN_OVERLAP else None


@lru_cache(maxsize=4096)
def _sentences_of(excerpt_text: str) -> tuple[tuple[str, Analysed], ...]:
    """An excerpt's sentences, analysed once however many answers it serves."""
    return tuple((s.text, analyse(s.text)) for s in sentences(excerpt_text))


def prime(excerpts: Sequence[Excerpt]) -> None:
    """Analyse the excerpts' sentences ahead (the pre-flight does, while it reads them)."""
    for excerpt in excerpts:
        _sentences_of(excerpt.text)


def _evidence(statement: str, excerpts: Sequence[Excerpt]) -> tuple[str | None, str | None, float]:
    claim = analyse(statement)
    best: tuple[float, str, str] | None = None
    for excerpt in excerpts:
        for sentence, analysed in _sentences_of(excerpt.text):
            score = coverage(claim, analysed)
            if best is None or score > best[0]:
                best = (score, excerpt.id, sentence)
    if best is None or best[0] < MIN_OVERLAP:
        return None, None, best[0] if best else 0.0
    return best[1], best[2], best[0]


def to_claim_verdicts(
    verdicts: Sequence[StatementVerdict], answer: str, excerpts: Sequence[Excerpt], judge: str
) -> tuple[ClaimVerdict, ...]:
    """Claim verdicts in the offline judge's shape: span, evidence, reason, judge."""
    out = []
    for v in verdicts:
        evidence_id, evidence_sentence, score = _evidence(v.statement, excerpts)
        supported = bool(v.verdict)  # ragas counts any non-zero verdict as faithful
        out.append(
            ClaimVerdict(
                claim=v.statement,
                span=locate(v.statement, answer),
                verdict=Verdict.SUPPORTED if supported else Verdict.NOT_FOUND,
                reason=v.reason.strip() or "(the judge gave no reason)",
                evidence_id=evidence_id,
                evidence_sentence=evidence_sentence,
                judge=judge,
                support_score=round(score, 3),
            )
        )
    return tuple(out)
