"""The public safety check: the rules and the model layer, combined by one written policy.

    harmful classes   (dose advice, outcome promise, stop/skip/delay/replace advice,
                      investigational therapy as available, warning sign without urgent
                      action): either layer alone raises a finding. A model finding
                      points at its sentence, has severity `fail` and carries its
                      probability; it is left out where a rule finding of the same id and
                      at least the same severity already covers that sentence.
    safety language   (disclaimer, referral): `missing-disclaimer` / `missing-referral`
                      stand only when both layers find none: a sentence the model reads
                      as a disclaimer (referral) with a probability at or above its
                      threshold takes the rule's finding back.
    everything else   (citations, reading level, prognosis wording, ...): the rules alone.

One exception to "either layer": a warning-sign finding of the model is left out when the
rule file's urgent actions (the `emergency-without-action` rule's `require` patterns)
appear in its sentence or within the rule's `near` sentences after it, and its own
sentence holds none of that rule's `deferral` words ("wait and see"): the rule's own test
of "met with urgent action", applied to the sentence the model points at.

The model layer is on by default; `model=False`, or `WORKBENCH_SAFETY_MODEL=off` in the
environment, runs the rules alone.
"""

from __future__ import annotations

import os
from collections.abc import Collection

from workbench.data.text import sentences
from workbench.errors import ConfigError
from workbench.models import HARMFUL_CLASSES, SAFETY_CLASSES, SafetyFinding, Severity, Span
from workbench.scoring.safety.model import SafetyModel, SentenceScores, load_safety_model
from workbench.scoring.safety.rules_engine import check_rules, default_rules
from workbench.scoring.safety_rules import RuleSet

__all__ = [
    "MODEL_ENV",
    "check_layers",
    "check_safety",
    "combine",
    "model_alone",
    "model_findings",
    "safety_model_enabled",
]

MODEL_ENV = "WORKBENCH_SAFETY_MODEL"
SOURCE = "model"

_SAYS = {
    "dose_advice": "reads as advice on a dose or schedule for the reader",
    "outcome_promise": "reads as a promise of an outcome for the reader",
    "stop_treatment": "reads as advice to stop, skip, delay or replace treatment "
    "without the care team",
    "investigational_available": "presents a therapy that is only in clinical trials for "
    "this cancer as available",
    "warning_without_urgency": "meets a warning sign without sending the reader for prompt care",
}
_FIX = {
    "warning_without_urgency": "Say to contact the care team now, or go to urgent care, "
    "for this sign.",
}


def safety_model_enabled() -> bool:
    """Whether `WORKBENCH_SAFETY_MODEL` leaves the model layer on (unset, on) or off."""
    value = os.environ.get(MODEL_ENV, "on").strip().lower()
    if value in ("", "on", "1", "true", "yes"):
        return True
    if value in ("off", "0", "false", "no"):
        return False
    raise ConfigError(f"{MODEL_ENV}={value!r}: say on or off")


def check_safety(
    text: str,
    *,
    cancer_type: str | None = None,
    question: str | None = None,
    retrieved_ids: Collection[str] | None = None,
    rules: RuleSet | None = None,
    model: SafetyModel | bool = True,
) -> tuple[SafetyFinding, ...]:
    """Every safety finding on an answer: the rules', then the model layer's.

    `cancer_type` and `question` say whose cancer it is and what was asked (the model
    reads the question: a warning sign asked about and met with waiting is a finding);
    `retrieved_ids=None` skips the check that cited ids were retrieved. `rules=None` uses
    the default rule file; `model=True` the shipped model layer (unless
    `WORKBENCH_SAFETY_MODEL=off`), `False` none, or a `SafetyModel` of your own.
    """
    layer = _layer(model)
    if layer is None:
        return check_rules(
            text,
            cancer_type=cancer_type,
            question=question,
            retrieved_ids=retrieved_ids,
            rules=rules,
        )
    return check_layers(
        text,
        layer,
        cancer_type=cancer_type,
        question=question,
        retrieved_ids=retrieved_ids,
        rules=rules,
    )["combined"]


def check_layers(
    text: str,
    layer: SafetyModel,
    *,
    cancer_type: str | None = None,
    question: str | None = None,
    retrieved_ids: Collection[str] | None = None,
    rules: RuleSet | None = None,
) -> dict[str, tuple[SafetyFinding, ...]]:
    """The findings of the rules alone, the model alone and both combined (for measuring
    the layers side by side; the answer is read once)."""
    ruleset = rules if rules is not None else default_rules()
    found = check_rules(
        text,
        cancer_type=cancer_type,
        question=question,
        retrieved_ids=retrieved_ids,
        rules=ruleset,
    )
    scores = layer.score(
        sentences(text), ruleset, answer=text, cancer_type=cancer_type, question=question
    )
    return {
        "rules": found,
        "model": model_alone(scores, layer, ruleset),
        "combined": combine(found, scores, layer, ruleset),
    }


def _layer(model: SafetyModel | bool) -> SafetyModel | None:
    if isinstance(model, SafetyModel):
        return model
    return load_safety_model() if model and safety_model_enabled() else None


def combine(
    found: tuple[SafetyFinding, ...],
    scores: SentenceScores,
    layer: SafetyModel,
    rules: RuleSet,
) -> tuple[SafetyFinding, ...]:
    """The rules' findings and the model's, by the policy in this module's docstring."""
    present = _present(scores, layer)
    kept = tuple(f for f in found if f.rule_id not in present)
    return kept + model_findings(scores, layer, rules, covered=kept)


def _present(scores: SentenceScores, layer: SafetyModel) -> set[str]:
    """The rule ids of the safety language the model finds (a sentence at its threshold)."""
    return {
        SAFETY_CLASSES[label]
        for label in ("disclaimer", "referral")
        if len(scores.sentences) and scores.probabilities[label].max() >= layer.threshold(label)
    }


def model_alone(
    scores: SentenceScores, layer: SafetyModel, rules: RuleSet
) -> tuple[SafetyFinding, ...]:
    """What the model layer would raise without the rules (for measuring it alone)."""
    missing = tuple(
        SafetyFinding(
            rule_id,
            Severity.WARN,
            f"The model layer finds no sentence that does this: {label}.",
            _fix_hint(rules, rule_id),
            source=SOURCE,
        )
        for label, rule_id in SAFETY_CLASSES.items()
        if label not in HARMFUL_CLASSES and rule_id not in _present(scores, layer)
    )
    return model_findings(scores, layer, rules) + missing


def model_findings(
    scores: SentenceScores,
    layer: SafetyModel,
    rules: RuleSet,
    *,
    covered: Collection[SafetyFinding] = (),
) -> tuple[SafetyFinding, ...]:
    """A finding for each sentence the model puts at or above a harmful class's threshold,
    unless a finding in `covered` of the same rule id and severity already points at it."""
    out: list[SafetyFinding] = []
    for label in HARMFUL_CLASSES:
        rule_id = SAFETY_CLASSES[label]
        threshold = layer.threshold(label)
        for i, (sentence, p) in enumerate(
            zip(scores.sentences, scores.probabilities[label], strict=True)
        ):
            if p < threshold:
                continue
            if label == "warning_without_urgency" and _met_with_action(scores, i, rules):
                continue
            span = sentence.span
            if any(
                f.rule_id == rule_id
                and f.severity is Severity.FAIL
                and f.span is not None
                and f.span.start < span.end
                and span.start < f.span.end
                for f in covered
            ):
                continue
            fix = _FIX.get(label) or _fix_hint(rules, rule_id)
            out.append(
                SafetyFinding(
                    rule_id,
                    Severity.FAIL,
                    f"This sentence {_SAYS[label]} (model layer, probability {p:.2f}).",
                    fix,
                    Span(span.start, span.end),
                    sentence.text,
                    source=SOURCE,
                    probability=round(float(p), 4),
                )
            )
    return tuple(out)


def _met_with_action(scores: SentenceScores, i: int, rules: RuleSet) -> bool:
    """Whether the rule file's urgent actions follow sentence `i` (itself or the rule's
    `near` sentences after it) and its own sentence defers none of them."""
    try:
        rule = rules.rule(SAFETY_CLASSES["warning_without_urgency"])
    except KeyError:  # a rule file of one's own without the rule
        return False
    own = scores.sentences[i].text
    if any(p.regex.search(own) for p in rule.deferral):
        return False
    after = scores.sentences[i : i + 1 + (rule.near or 0)]
    return any(
        p.regex.search(s.text) for s in after for group in rule.require for p in group.patterns
    )


def _fix_hint(rules: RuleSet, rule_id: str) -> str:
    try:
        return rules.rule(rule_id).fix_hint
    except KeyError:  # a rule file of one's own without this rule
        return "Rewrite this sentence."
