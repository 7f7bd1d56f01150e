"""The entailment judge: a local cross-encoder model checks each claim against its best
evidence windows, behind the same `Judge` seam as the offline judge.

Each claim (split as the offline judge splits answers) is paired with its best evidence
windows: the `WINDOWS` sentences or sentence pairs of the excerpts that hold most of its
content (the offline judge's ranking, tables read as rows of facts), and the whole
excerpt the best of them comes from. The model scores every pair in batches of
`batch_size` (a progress bar over many answers); a claim's support is its best window's
probability of entailment. Scores are cached per (model, premise, claim), so a rerun or
a claim repeated across answers costs nothing. The answer's score and decision are the
offline judge's length-fair aggregation (`workbench.scoring.aggregate`).

A model that cannot be loaded or run makes every answer a JUDGE_FAILED result naming
the reason; the batch goes on.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from workbench.errors import ConfigError
from workbench.models import ClaimVerdict, EvaluationStatus, Excerpt, Span, Verdict
from workbench.scoring.aggregate import (
    CLAIM_SUPPORT,
    INVENTED_BELOW,
    ClaimFinding,
    Finding,
    answer_score,
    content_weight,
    flagged,
)
from workbench.scoring.base import FaithfulnessResult
from workbench.scoring.claims import split_claims
from workbench.scoring.entailment_model import EntailmentModel, Scores, load_model
from workbench.scoring.evidence import analyse, evidence_units
from workbench.scoring.matching import coverage
from workbench.scoring.tables import as_facts

__all__ = ["BATCH", "THRESHOLD", "WINDOWS", "EntailmentJudge"]

JUDGE_NAME = "entailment"
WINDOWS = 2  # evidence windows per claim, besides the whole excerpt of the best one
BATCH = 16  # pairs per model call
THRESHOLD = 0.5  # a claim is supported from this probability of entailment
MAX_PREMISE_WORDS = 350  # a whole excerpt longer than this is left to its windows


@dataclass(frozen=True, slots=True)
class _Claim:
    text: str
    span: Span | None
    windows: tuple[tuple[str, str], ...]  # (excerpt id, premise text)


class EntailmentJudge:
    """Faithfulness by a local entailment model (`workbench.scoring.entailment_model`)."""

    name = JUDGE_NAME

    def __init__(
        self,
        model: str | EntailmentModel,
        *,
        entailed_label: str | None = None,
        batch_size: int = BATCH,
        threshold: float = THRESHOLD,
        progress: bool = False,
    ) -> None:
        if batch_size < 1:
            raise ConfigError(f"the entailment batch size must be at least 1, not {batch_size}")
        self._given = model
        self._label = entailed_label
        self._model: EntailmentModel | None = None if isinstance(model, str) else model
        self.batch_size = batch_size
        self.threshold = threshold
        self.progress = progress
        self.cache: dict[tuple[str, str, str], Scores] = {}
        self.calls = 0  # model calls made (batches), for tests and benchmarks

    @property
    def model(self) -> EntailmentModel:
        """The model, loaded on first use (a `ConfigError` when it cannot be)."""
        if self._model is None:
            assert isinstance(self._given, str)
            self._model = load_model(self._given, entailed=self._label)
        return self._model

    def judge(self, answer_text: str, excerpts: Sequence[Excerpt]) -> FaithfulnessResult:
        """Judge one answer against the excerpts it was given."""
        return self.judge_many([(answer_text, {e.id: e.text for e in excerpts})])[0]

    def verify(self, claims: Sequence[str], excerpts: Sequence[Excerpt]) -> list[ClaimVerdict]:
        """Judge already-split claims against the excerpts (none when the model fails)."""
        texts = {e.id: e.text for e in excerpts}
        prepared = [_prepare(c, None, texts) for c in claims]
        try:
            self._score([(w, c.text) for c in prepared for _, w in c.windows])
        except Exception:  # a failing model: no verdicts, as a failed judge gives none
            return []
        return [self._verdict(c)[0] for c in prepared]

    def judge_many(
        self, answers: Sequence[tuple[str, dict[str, str] | Sequence[str]]]
    ) -> list[FaithfulnessResult]:
        """Judge many (answer, excerpts) at once: all their pairs batched together, with a
        progress bar when `progress` is set. Excerpts are texts, or texts by id."""
        prepared: list[list[_Claim]] = []
        for answer, excerpts in answers:
            texts = (
                excerpts
                if isinstance(excerpts, dict)
                else {f"excerpt-{i + 1}": t for i, t in enumerate(excerpts)}
            )
            prepared.append([_prepare(c.text, c.span, texts) for c in split_claims(answer)])
        try:
            self._score([(w, c.text) for claims in prepared for c in claims for _, w in c.windows])
        except Exception as exc:  # onnxruntime, tokenizers and a bad folder raise many kinds
            why = f"the entailment model could not judge: {exc}"
            return [
                FaithfulnessResult(EvaluationStatus.JUDGE_FAILED, None, (), error=why)
                for _ in answers
            ]
        return [self._result(claims) for claims in prepared]

    def _score(self, pairs: list[tuple[str, str]]) -> None:
        """Scores every pair not yet cached, in batches."""
        model = self.model if pairs else None
        todo = list(dict.fromkeys(p for p in pairs if self._key(p) not in self.cache))
        if model is None or not todo:
            return
        batches = [todo[i : i + self.batch_size] for i in range(0, len(todo), self.batch_size)]
        for batch in _progress(batches, self.progress, model.name):
            self.calls += 1
            for pair, scores in zip(batch, model.scores(batch), strict=True):
                self.cache[self._key(pair)] = scores

    def _key(self, pair: tuple[str, str]) -> tuple[str, str, str]:
        return (self.model.name, pair[0], pair[1])

    def _verdict(self, claim: _Claim) -> tuple[ClaimVerdict, Finding]:
        scored = [(self.cache[self._key((w, claim.text))], i, w) for i, w in claim.windows]
        if not scored:
            none = _verdict(claim, Verdict.NOT_FOUND, 0.0, None, None, "No excerpt to check it.")
            return none, Finding.INVENTED
        best, where, premise = max(scored, key=lambda s: s[0].entailed)
        p = best.entailed
        if p >= self.threshold:
            reason = f"Entailed by [{where}] (probability {p:.2f})"
            return _verdict(claim, Verdict.SUPPORTED, p, where, premise, reason), Finding.SUPPORTED
        against = max(
            (s for s in scored if s[0].contradicted is not None),
            key=lambda s: s[0].contradicted or 0.0,
            default=None,
        )
        if against is not None and (against[0].contradicted or 0.0) >= max(p, self.threshold):
            c = against[0].contradicted or 0.0
            reason = f"Contradicted by [{against[1]}] (probability {c:.2f})"
            return (
                _verdict(claim, Verdict.CONTRADICTED, p, against[1], against[2], reason),
                Finding.CONTRADICTED,
            )
        invented = p / self.threshold * CLAIM_SUPPORT < INVENTED_BELOW
        reason = f"Not entailed by any excerpt (best probability {p:.2f}, [{where}])"
        finding = Finding.INVENTED if invented else Finding.WEAK
        return _verdict(claim, Verdict.NOT_FOUND, p, where, premise, reason), finding

    def _result(self, claims: list[_Claim]) -> FaithfulnessResult:
        if not claims:
            return FaithfulnessResult(EvaluationStatus.NO_CLAIMS, None, ())
        judged = [self._verdict(c) for c in claims]
        findings = [
            ClaimFinding.of(
                finding,
                content_weight(analyse(v.claim)),
                min(1.0, (v.support_score or 0.0) / self.threshold) * CLAIM_SUPPORT
                if finding is not Finding.SUPPORTED
                else v.support_score or 0.0,
                1.0,
                1.0,
            )
            for v, finding in judged
        ]
        return FaithfulnessResult(
            EvaluationStatus.SCORED,
            round(answer_score(findings), 4),
            tuple(v for v, _ in judged),
            flagged=flagged(findings),
        )


def _verdict(
    claim: _Claim,
    verdict: Verdict,
    p: float,
    where: str | None,
    premise: str | None,
    reason: str,
) -> ClaimVerdict:
    return ClaimVerdict(
        claim=claim.text,
        span=claim.span,
        verdict=verdict,
        reason=reason,
        evidence_id=where,
        evidence_sentence=premise,
        judge=JUDGE_NAME,
        support_score=round(p, 4),
    )


def _prepare(text: str, span: Span | None, excerpts: dict[str, str]) -> _Claim:
    """A claim with its evidence windows: its best units and the best one's whole excerpt."""
    ids = list(excerpts)
    facts = tuple(as_facts(t) for t in excerpts.values())
    units = evidence_units(facts)
    c = analyse(text)
    ranked = sorted(units, key=lambda u: (coverage(c, u.analysed), -len(u.sentence)), reverse=True)
    windows: list[tuple[str, str]] = [(ids[u.excerpt_index], u.sentence) for u in ranked[:WINDOWS]]
    if ranked:
        whole = facts[ranked[0].excerpt_index]
        if len(whole.split()) <= MAX_PREMISE_WORDS and all(w != whole for _, w in windows):
            windows.append((ids[ranked[0].excerpt_index], whole))
    return _Claim(text, span, tuple(windows))


def _progress(
    batches: list[list[tuple[str, str]]], shown: bool, name: str
) -> Iterator[list[tuple[str, str]]]:
    if not shown:
        yield from batches
        return
    from tqdm.auto import tqdm

    yield from tqdm(batches, desc=f"entailment ({name})", unit="batch")
