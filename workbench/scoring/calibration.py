"""How far to trust the scorers: the judge against gold claims, safety against gold answers.

Both are computed at run time from the gold files, never typed in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from workbench.data.datasets import (
    Corpus,
    GoldClaim,
    GoldSafetyAnswer,
    check_gold_references,
    load_gold_claims,
    load_gold_safety,
)
from workbench.models import ClaimVerdict, Excerpt, Verdict
from workbench.scoring.base import Judge
from workbench.scoring.safety import RuleSet, check_safety

__all__ = [
    "Calibration",
    "JudgeGoldMetrics",
    "SafetyGoldMetrics",
    "calibrate",
    "measure_judge",
    "measure_safety",
]

GOLD_EXCLUDED_RULES = frozenset({"reading-level"})  # a formula, tested on its own


@dataclass(frozen=True, slots=True)
class JudgeGoldMetrics:
    """A judge's agreement with gold claim labels."""

    judge: str
    n: int
    balanced_accuracy: float  # supported vs not supported, mean of the two recalls
    accuracy_3way: float  # supported / contradicted / not found
    recall: dict[str, float]  # per gold label, binary sense
    by_trap: dict[str, float]  # share right (binary) per trap kind
    confusion: dict[tuple[str, str], int]  # (gold, predicted) -> count
    misses: tuple[tuple[GoldClaim, ClaimVerdict], ...] = field(default=(), repr=False)


@dataclass(frozen=True, slots=True)
class SafetyGoldMetrics:
    """The safety checks' agreement with gold answer labels, pooled over (answer, rule)."""

    n_answers: int
    precision: float
    recall: float
    per_rule: dict[str, tuple[int, int, int]]  # rule -> (true pos, false pos, false neg)


def _ratio(a: int, b: int) -> float:
    return a / b if b else float("nan")


def measure_judge(
    judge: Judge, claims: Sequence[GoldClaim], excerpts: Mapping[str, Excerpt]
) -> JudgeGoldMetrics:
    """Run the judge on every gold claim against its named excerpts."""
    confusion: Counter[tuple[str, str]] = Counter()
    traps: Counter[str] = Counter()
    trap_right: Counter[str] = Counter()
    misses: list[tuple[GoldClaim, ClaimVerdict]] = []
    for gold in claims:
        (verdict,) = judge.verify([gold.claim], [excerpts[i] for i in gold.excerpt_ids])
        confusion[(gold.label.value, verdict.verdict.value)] += 1
        right = verdict.verdict.is_supported == gold.label.is_supported
        traps[gold.trap] += 1
        trap_right[gold.trap] += right
        if not right:
            misses.append((gold, verdict))
    pos = sum(v for (g, _), v in confusion.items() if g == Verdict.SUPPORTED)
    tp = confusion[(Verdict.SUPPORTED.value, Verdict.SUPPORTED.value)]
    neg = len(claims) - pos
    tn = sum(v for (g, p), v in confusion.items() if g != "supported" and p != "supported")
    recall = {"supported": _ratio(tp, pos), "not_supported": _ratio(tn, neg)}
    exact = sum(v for (g, p), v in confusion.items() if g == p)
    return JudgeGoldMetrics(
        judge=judge.name,
        n=len(claims),
        balanced_accuracy=(recall["supported"] + recall["not_supported"]) / 2,
        accuracy_3way=_ratio(exact, len(claims)),
        recall=recall,
        by_trap={t: trap_right[t] / n for t, n in sorted(traps.items())},
        confusion=dict(confusion),
        misses=tuple(misses),
    )


def measure_safety(
    answers: Sequence[GoldSafetyAnswer], rules: RuleSet | None = None
) -> SafetyGoldMetrics:
    """Run the safety checks on every gold answer and pool (answer, rule) decisions."""
    per_rule: dict[str, list[int]] = {}
    for gold in answers:
        found = {
            f.rule_id
            for f in check_safety(
                gold.answer,
                cancer_type=gold.cancer_type,
                question=gold.question,
                retrieved_ids=gold.retrieved_ids,
                rules=rules,
            )
        } - GOLD_EXCLUDED_RULES
        expected = set(gold.expected) - GOLD_EXCLUDED_RULES
        for rule in found | expected:
            counts = per_rule.setdefault(rule, [0, 0, 0])
            counts[0 if rule in found and rule in expected else 1 if rule in found else 2] += 1
    tp = sum(c[0] for c in per_rule.values())
    fp = sum(c[1] for c in per_rule.values())
    fn = sum(c[2] for c in per_rule.values())
    return SafetyGoldMetrics(
        n_answers=len(answers),
        precision=_ratio(tp, tp + fp),
        recall=_ratio(tp, tp + fn),
        per_rule={r: (c[0], c[1], c[2]) for r, c in sorted(per_rule.items())},
    )


@dataclass(frozen=True, slots=True)
class Calibration:
    """The scorers measured against the gold labels."""

    judge: JudgeGoldMetrics
    safety: SafetyGoldMetrics


def calibrate(
    corpus: Corpus, judge: Judge, *, gold_claims: Path, gold_safety: Path, rules: RuleSet
) -> Calibration:
    """Measure the judge on the gold claims and the safety rules on the gold answers."""
    claims = load_gold_claims(gold_claims)
    check_gold_references(claims, corpus.excerpts, gold_claims)
    return Calibration(
        judge=measure_judge(judge, claims, corpus.excerpts),
        safety=measure_safety(load_gold_safety(gold_safety), rules),
    )
