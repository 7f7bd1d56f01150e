"""The safety layers side by side on the gold answers: the rules, the model layer, both
combined (`check_safety`), and the LLM safety judge when an endpoint is set.

Prints precision and recall per gold group and layer, overall and for the `fail`-severity
decisions, the answers with a false `fail`, then per rule. `fail` = the rule file's
fail-severity rules and the five harmful classes' rule ids (the model raises those as
`fail`). Decision thresholds are the shipped ones (fixed when the model was trained).
Gold groups:

    group A, group B      the first gold set (datasets/gold/safety/group_a.jsonl, group_b.jsonl)
    shapes dev            answers in the shapes models write; rules were changed looking
                          at this group only (shapes_dev.jsonl)
    shapes held-out       the same kind of answers, split off by a fixed seed before any
                          rule change (shapes_heldout.jsonl); development for the model layer
    sentences train       datasets/gold/safety_sentences/ outside its development group: the
                          model layer was fitted on these (a fit, not a figure of trust)
    sentences dev         its development group (a seeded hash of the id): not fitted on
    blind held-out        datasets/gold/safety_heldout/: written blind, measured once (on
                          the first model layer; the shapes of its misses were read after)
    blind held-out 2      datasets/gold/safety_heldout_2/: a second group written blind,
                          measured once, after the second layer's thresholds were committed
    blind held-out 3      datasets/gold/safety_heldout_3/: a third group written blind,
                          measured once, after the third layer's thresholds were committed
    blind held-out 4      datasets/gold/safety_heldout_4/: a fourth, measured once after
                          fail decisions were counted by severity (what fails the answer)
    blind held-out 5      datasets/gold/safety_heldout_5/: a fifth, measured once after the
                          layer was refitted on the first four
    blind held-out 6      datasets/gold/safety_heldout_6/: a sixth, measured once after the
                          encoder's top layers were tuned (the newest: never trained on)

Since the fifth group, three quarters of the first four (by the seeded hash) are training
data for the model layer and the rest development data; since the sixth, the fifth too:
their figures are no longer blind.

On the sentence-labelled groups only the seven class rule ids count (they label no other).

With /work/shared/data/medquad-cancergov present (text written by others, NCI patient
summaries that give no unsafe advice) it also counts the `fail`-severity findings the
rules raise there: each is a false alarm. Skipped with a message when the folder is absent.

    .venv/bin/python benchmarks/safety_measures.py [--misses] [--llm] [--groups ...]

`--llm` also runs the LLM safety judge on the judge endpoint (WORKBENCH_JUDGE_* or
OPENAI_BASE_URL and WORKBENCH_MODEL), through the call cache like any other LLM work.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from workbench.data.datasets import (
    GoldSafetyAnswer,
    default_datasets_dir,
    in_development,
    load_gold_safety,
    load_gold_sentences,
)
from workbench.llm.cache import cache_path_for
from workbench.models import SafetyFinding, Severity
from workbench.scoring.safety import RuleSet, check_safety, load_rules
from workbench.scoring.safety.model import load_safety_model
from workbench.scoring.safety_measure import (
    CLASS_RULES,
    SAFETY_JUDGE_FAILED,
    SafetyMeasure,
    fail_rule_ids,
    measure_findings,
    measure_layers,
)

if TYPE_CHECKING:
    from workbench.scoring.safety_llm import LLMSafetyJudge

GROUPS = {
    "group A": "group_a",
    "group B": "group_b",
    "shapes dev": "shapes_dev",
    "shapes held-out": "shapes_heldout",
}
BLIND = {
    "blind held-out": "safety_heldout",
    "blind held-out 2": "safety_heldout_2",
    "blind held-out 3": "safety_heldout_3",
    "blind held-out 4": "safety_heldout_4",
    "blind held-out 5": "safety_heldout_5",
    "blind held-out 6": "safety_heldout_6",
}
SENTENCE_GROUPS = ("sentences train", "sentences dev", *BLIND)
MEDQUAD = Path(__file__).resolve().parents[2] / "shared" / "data" / "medquad-cancergov"


def _f(x: float) -> str:
    return "  -  " if math.isnan(x) else f"{x:.3f}"


def _print(name: str, m: SafetyMeasure, misses: bool) -> None:
    o, f = m.overall, m.fail
    print(
        f"  {name:28} n={m.n_answers:3}  overall P {_f(o.precision)} R {_f(o.recall)}"
        f"  (tp {o.tp} fp {o.fp} fn {o.fn})   fail P {_f(f.precision)} R {_f(f.recall)}"
        f"  (tp {f.tp} fp {f.fp} fn {f.fn})   false-fail answers {m.false_fail_answers}"
    )
    for rule, c in m.per_rule.items():
        print(
            f"      {rule:30} P {_f(c.precision)} R {_f(c.recall)}  tp {c.tp} fp {c.fp} fn {c.fn}"
        )
    if misses:
        for x in m.misses:
            print(f"      miss: {x.answer_id} {x.rule_id} ({x.kind})")


def _group(name: str) -> list[GoldSafetyAnswer]:
    gold = default_datasets_dir() / "gold"
    if name in GROUPS:
        return load_gold_safety(gold / "safety" / f"{GROUPS[name]}.jsonl")
    if name in BLIND:
        return list(load_gold_sentences(gold / BLIND[name]))
    dev = name == "sentences dev"
    return [a for a in load_gold_sentences() if in_development(a.id) == dev]


def _medquad_answers() -> list[str]:
    out = []
    for path in sorted(MEDQUAD.glob("*.xml")):
        for answer in ElementTree.parse(path).getroot().iter("Answer"):
            if answer.text and answer.text.strip():
                out.append(re.sub(r"\s+", " ", answer.text).strip())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list every wrong decision")
    parser.add_argument("--llm", action="store_true", help="also run the LLM safety judge")
    parser.add_argument(
        "--groups",
        nargs="*",
        default=[*GROUPS, "sentences dev"],
        help=f"gold groups to run, of: {', '.join([*GROUPS, *SENTENCE_GROUPS])}",
    )
    parser.add_argument("--rules", type=Path, help="another rule file (e.g. an older version)")
    parser.add_argument(
        "--layers", nargs="*", default=["rules", "model", "combined"], help="layers to print"
    )
    args = parser.parse_args()
    rules = load_rules(args.rules)
    gold = {g: _group(g) for g in args.groups}
    layer = load_safety_model()
    print(f"safety rules ({rules.path.name}) and model layer ({layer.name}) on gold answers")
    for name, answers in gold.items():
        only = CLASS_RULES if name in SENTENCE_GROUPS else None
        for layer_name, m in measure_layers(answers, rules, layer, only=only).items():
            if layer_name in args.layers:
                _print(f"{name}: {layer_name}", m, args.misses)
    if args.llm:
        _llm(gold, rules, args.misses)
    if not MEDQUAD.is_dir():
        print(f"text by others: skipped ({MEDQUAD} is absent)")
        return
    texts = _medquad_answers()
    fails = [f for t in texts for f in check_safety(t, rules=rules) if f.severity is Severity.FAIL]
    answers_failed = sum(
        any(f.severity is Severity.FAIL for f in check_safety(t, rules=rules)) for t in texts
    )
    by_rule: dict[str, int] = {}
    for f in fails:
        by_rule[f.rule_id] = by_rule.get(f.rule_id, 0) + 1
    print(
        f"text by others: {len(texts)} NCI patient-summary answers (MedQuAD), "
        f"{len(fails)} fail-severity findings (each a false alarm) on {answers_failed} "
        f"answers, rules and model layer: {by_rule or 'none'}"
    )
    if args.misses:
        for f in fails:
            print(f"      {f.rule_id}: {f.matched_text!r}")


def _llm(gold: dict[str, list[GoldSafetyAnswer]], rules: RuleSet, misses: bool) -> None:
    """The LLM safety judge on the same groups (the judge endpoint's settings, the call
    cache in ./safety_judge_calls.db so a rerun costs nothing)."""
    from workbench.errors import WorkbenchError
    from workbench.llm import LLMSettings
    from workbench.scoring.safety_llm import open_safety_judge

    try:
        settings = LLMSettings.from_env(judge=True)
    except WorkbenchError as e:
        print(f"LLM safety judge: skipped ({e})")
        return
    fail_rules = fail_rule_ids(rules)
    for name, answers in gold.items():
        judge = open_safety_judge(
            settings, rules, cache_path=cache_path_for("safety_judge_calls.db")
        )
        found, failures = asyncio.run(_judge_all(judge, answers))
        print(f"LLM safety judge {judge.name} on {name}: {failures} judge failures")
        if name in SENTENCE_GROUPS:
            found = {i: ids & CLASS_RULES for i, ids in found.items()}
        _print(f"{name}: LLM judge", measure_findings(answers, found, fail_rules), misses)
        print(f"      {judge.client.stats.describe()}")


async def _judge_all(
    judge: LLMSafetyJudge, answers: list[GoldSafetyAnswer]
) -> tuple[dict[str, set[str]], int]:
    slots = asyncio.Semaphore(judge.concurrency)

    async def one(a: GoldSafetyAnswer) -> tuple[str, tuple[SafetyFinding, ...]]:
        async with slots:
            return a.id, await judge.ajudge(
                a.answer, question=a.question, cancer_type=a.cancer_type
            )

    try:
        results = await asyncio.gather(*(one(a) for a in answers))
    finally:
        await judge.aclose()
    failures = sum(any(f.rule_id == SAFETY_JUDGE_FAILED for f in fs) for _, fs in results)
    return {i: {f.rule_id for f in fs} - {SAFETY_JUDGE_FAILED} for i, fs in results}, failures


if __name__ == "__main__":
    main()
