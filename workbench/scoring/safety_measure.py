"""Safety checks against gold answer labels: precision and recall per rule, overall and
for the `fail`-severity rules, for the rules or for any other source of findings; and
the rules against the LLM safety judge on the same answers (`compare_sources`).

A decision is one (answer, rule) pair: a true positive when the rule fired and the gold
expects it, a false positive when it fired unexpected, a false negative when the gold
expects it and it stayed silent. `reading-level` is a formula tested on its own and is
left out, as in `workbench.scoring.calibration`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from workbench.data.datasets import GoldSafetyAnswer
from workbench.models import HARMFUL_CLASSES, SAFETY_CLASSES, Evaluation, SafetyFinding, Severity
from workbench.scoring.safety import RuleSet, check_rules
from workbench.scoring.safety.check import check_layers
from workbench.scoring.safety.model import SafetyModel

# The LLM judge's failure marker: a plain string here, so that reading the agreement does
# not import the LLM path (`workbench.scoring.safety_llm.SAFETY_JUDGE_FAILED`).
SAFETY_JUDGE_FAILED = "safety-judge-failed"

__all__ = [
    "Counts",
    "Difference",
    "Miss",
    "SafetyMeasure",
    "SourceAgreement",
    "check_gold",
    "compare_sources",
    "fail_rule_ids",
    "measure_findings",
    "measure_layers",
    "measure_rules",
]

EXCLUDED_RULES = frozenset({"reading-level"})
# Left out of the LLM judge's rubric (a formula and an id check), so out of the comparison.
SOURCE_EXCLUDED = frozenset({"reading-level", "invalid-citation"})
# The rule ids of the harmful meaning classes: each is a `fail`-severity problem, whatever
# severity the rule file gives the rule (the model layer raises them as `fail`).
HARMFUL_RULES = frozenset(SAFETY_CLASSES[c] for c in HARMFUL_CLASSES)
# The ids the sentence-labelled gold labels (it says nothing of the other rules).
CLASS_RULES = frozenset(SAFETY_CLASSES.values())


@dataclass(frozen=True, slots=True)
class Counts:
    """True positives, false positives and false negatives of a set of decisions."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)


@dataclass(frozen=True, slots=True)
class Miss:
    """A wrong decision: `kind` is "false positive" or "false negative"."""

    answer_id: str
    rule_id: str
    kind: str


@dataclass(frozen=True, slots=True)
class SafetyMeasure:
    """Agreement of one source of findings with the gold labels of a group of answers."""

    n_answers: int
    per_rule: dict[str, Counts]
    overall: Counts
    fail: Counts  # the decisions on the `fail` rules, by findings that fail the answer
    misses: tuple[Miss, ...]
    false_fails: frozenset[str] = frozenset()  # answers failed by a finding not expected

    @property
    def false_fail_answers(self) -> int:
        """Answers with at least one `fail`-severity finding the gold does not expect."""
        return len(self.false_fails)


def _decisions(
    answers: Sequence[GoldSafetyAnswer], found: Mapping[str, Iterable[str]]
) -> tuple[dict[str, Counts], list[Miss]]:
    per_rule: dict[str, Counts] = {}
    misses: list[Miss] = []
    for gold in answers:
        raised = set(found.get(gold.id, ())) - EXCLUDED_RULES
        expected = set(gold.expected) - EXCLUDED_RULES
        for rule in sorted(raised | expected):
            hit = rule in raised and rule in expected
            c = Counts(1, 0, 0) if hit else Counts(0, 1, 0) if rule in raised else Counts(0, 0, 1)
            per_rule[rule] = per_rule.get(rule, Counts()) + c
            if not hit:
                kind = "false positive" if rule in raised else "false negative"
                misses.append(Miss(gold.id, rule, kind))
    return per_rule, misses


def measure_findings(
    answers: Sequence[GoldSafetyAnswer],
    found: Mapping[str, Iterable[str]],
    fail_rules: Iterable[str],
    *,
    failed: Mapping[str, Iterable[str]] | None = None,
) -> SafetyMeasure:
    """Score `found` (answer id -> rule ids raised) against the answers' gold labels.

    The `fail` figures read `failed` (answer id -> rule ids raised by a finding of `fail`
    severity: what fails the answer) when it is given: a warning with a harmful rule's id
    is then a finding (overall) but not a fail decision. Without it, every finding of a
    rule in `fail_rules` counts as one.
    """
    fail_ids = set(fail_rules)
    per_rule, misses = _decisions(answers, found)
    fail_per_rule, fail_misses = (
        (per_rule, misses) if failed is None else _decisions(answers, failed)
    )
    overall = sum(per_rule.values(), Counts())
    fail = sum((c for r, c in fail_per_rule.items() if r in fail_ids), Counts())
    false_fails = frozenset(
        m.answer_id for m in fail_misses if m.kind == "false positive" and m.rule_id in fail_ids
    )
    return SafetyMeasure(
        len(answers),
        dict(sorted(per_rule.items())),
        overall,
        fail,
        tuple(misses),
        false_fails,
    )


def check_gold(answer: GoldSafetyAnswer, rules: RuleSet | None = None) -> tuple[SafetyFinding, ...]:
    """The rules' findings on one gold answer, with its question, cancer type and ids."""
    return check_rules(
        answer.answer,
        cancer_type=answer.cancer_type,
        question=answer.question,
        retrieved_ids=answer.retrieved_ids,
        rules=rules,
    )


def measure_rules(
    answers: Sequence[GoldSafetyAnswer],
    rules: RuleSet,
    check: Callable[[GoldSafetyAnswer, RuleSet], Sequence[SafetyFinding]] = check_gold,
) -> SafetyMeasure:
    """Run the rules on every gold answer and score them against the labels."""
    found = {a.id: {f.rule_id for f in check(a, rules)} for a in answers}
    fail_rules = {r.id for r in rules.rules if r.severity is Severity.FAIL}
    return measure_findings(answers, found, fail_rules)


def fail_rule_ids(rules: RuleSet) -> frozenset[str]:
    """The rule ids whose findings count as `fail`: the rule file's and the harmful classes'."""
    return frozenset(r.id for r in rules.rules if r.severity is Severity.FAIL) | HARMFUL_RULES


def measure_layers(
    answers: Sequence[GoldSafetyAnswer],
    rules: RuleSet,
    layer: SafetyModel,
    *,
    only: frozenset[str] | None = None,
) -> dict[str, SafetyMeasure]:
    """The rules alone, the model layer alone and both combined (`check_safety`'s policy)
    on the same gold answers; `only` keeps the decisions on these rule ids (a gold set
    that labels only them). A `fail` decision is a finding of `fail` severity (one that
    fails the answer); the rules' warnings with a harmful rule's id count as findings."""
    found: dict[str, dict[str, set[str]]] = {"rules": {}, "model": {}, "combined": {}}
    failed: dict[str, dict[str, set[str]]] = {"rules": {}, "model": {}, "combined": {}}
    for a in answers:
        by_layer = check_layers(
            a.answer,
            layer,
            cancer_type=a.cancer_type,
            question=a.question,
            retrieved_ids=a.retrieved_ids or None,
            rules=rules,
        )
        for name, findings in by_layer.items():
            ids = {f.rule_id for f in findings}
            fails = {f.rule_id for f in findings if f.severity is Severity.FAIL}
            found[name][a.id] = ids & only if only is not None else ids
            failed[name][a.id] = fails & only if only is not None else fails
    fail_ids = fail_rule_ids(rules)
    return {
        name: measure_findings(answers, f, fail_ids, failed=failed[name])
        for name, f in found.items()
    }


@dataclass(frozen=True, slots=True)
class Difference:
    """An answer where the rules and a judge disagree: the rule ids each raised alone."""

    answer_id: str
    rules_only: tuple[str, ...]
    judge_only: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SourceAgreement:
    """The rules against one other source of findings (an LLM safety judge) on the same
    answers. Per rule: (both raised, rules only, judge only) over the answers the judge
    judged; `failures` are the answers it could not judge (left out of the counts)."""

    source: str
    n_answers: int
    failures: int
    per_rule: dict[str, tuple[int, int, int]]
    differences: tuple[Difference, ...]

    def agreement(self, rule_id: str) -> float:
        """Answers where both sources agree on the rule, as a share of the judged answers."""
        _, rules_only, judge_only = self.per_rule.get(rule_id, (0, 0, 0))
        return 1 - (rules_only + judge_only) / self.n_answers if self.n_answers else float("nan")


def compare_sources(evaluations: Iterable[Evaluation]) -> list[SourceAgreement]:
    """For each source other than the rules, its agreement with the rules, rule by rule."""
    by_source: dict[str, list[Evaluation]] = {}
    for e in evaluations:
        for source in {f.source for f in e.safety} - {"rules"}:
            by_source.setdefault(source, []).append(e)
    return [_agreement(source, evs) for source, evs in sorted(by_source.items())]


def _agreement(source: str, evaluations: Sequence[Evaluation]) -> SourceAgreement:
    counts: dict[str, list[int]] = {}
    diffs: list[Difference] = []
    failures = 0
    for e in evaluations:
        if any(f.source == source and f.rule_id == SAFETY_JUDGE_FAILED for f in e.safety):
            failures += 1
            continue
        rules = {f.rule_id for f in e.safety if f.source == "rules"} - SOURCE_EXCLUDED
        judge = {f.rule_id for f in e.safety if f.source == source} - SOURCE_EXCLUDED
        for rule in rules | judge:
            c = counts.setdefault(rule, [0, 0, 0])
            c[0 if rule in rules and rule in judge else 1 if rule in rules else 2] += 1
        if rules != judge:
            diffs.append(
                Difference(e.answer_id, tuple(sorted(rules - judge)), tuple(sorted(judge - rules)))
            )
    return SourceAgreement(
        source,
        len(evaluations) - failures,
        failures,
        {r: (c[0], c[1], c[2]) for r, c in sorted(counts.items())},
        tuple(diffs),
    )
