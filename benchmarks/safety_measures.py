"""The safety rules (and the LLM safety judge, when an endpoint is set) on the gold answers.

Prints precision and recall per gold group, overall and for the `fail`-severity rules,
then per rule. Gold groups (datasets/gold/safety/):

    group A, group B      the first gold set (group_a.jsonl, group_b.jsonl)
    shapes dev            answers in the shapes models write; rules were changed looking
                          at this group only (shapes_dev.jsonl)
    shapes held-out       the same kind of answers, split off by a fixed seed before any
                          rule change and measured only before and after (shapes_heldout.jsonl)

With /work/shared/data/medquad-cancergov present (text written by others, NCI patient
summaries that give no unsafe advice) it also counts the `fail`-severity findings the
rules raise there: each is a false alarm. Skipped with a message when the folder is absent.

    .venv/bin/python benchmarks/safety_measures.py [--misses] [--llm]

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

from workbench.data.datasets import GoldSafetyAnswer, default_datasets_dir, load_gold_safety
from workbench.llm.cache import cache_path_for
from workbench.models import SafetyFinding, Severity
from workbench.scoring.safety import RuleSet, check_safety, load_rules
from workbench.scoring.safety_measure import (
    SAFETY_JUDGE_FAILED,
    SafetyMeasure,
    measure_findings,
    measure_rules,
)

if TYPE_CHECKING:
    from workbench.scoring.safety_llm import LLMSafetyJudge

GROUPS = {
    "group A": "group_a",
    "group B": "group_b",
    "shapes dev": "shapes_dev",
    "shapes held-out": "shapes_heldout",
}
MEDQUAD = Path(__file__).resolve().parents[2] / "shared" / "data" / "medquad-cancergov"


def _f(x: float) -> str:
    return "  -  " if math.isnan(x) else f"{x:.3f}"


def _print(name: str, m: SafetyMeasure, misses: bool) -> None:
    o, f = m.overall, m.fail
    print(
        f"  {name:16} n={m.n_answers:3}  overall P {_f(o.precision)} R {_f(o.recall)}"
        f"  (tp {o.tp} fp {o.fp} fn {o.fn})   fail P {_f(f.precision)} R {_f(f.recall)}"
        f"  (tp {f.tp} fp {f.fp} fn {f.fn})"
    )
    for rule, c in m.per_rule.items():
        print(
            f"      {rule:30} P {_f(c.precision)} R {_f(c.recall)}  tp {c.tp} fp {c.fp} fn {c.fn}"
        )
    if misses:
        for x in m.misses:
            print(f"      miss: {x.answer_id} {x.rule_id} ({x.kind})")


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
    parser.add_argument("--groups", nargs="*", default=list(GROUPS), help="gold groups to run")
    parser.add_argument("--rules", type=Path, help="another rule file (e.g. an older version)")
    args = parser.parse_args()
    rules = load_rules(args.rules)
    folder = default_datasets_dir() / "gold" / "safety"
    gold: dict[str, list[GoldSafetyAnswer]] = {
        g: load_gold_safety(folder / f"{GROUPS[g]}.jsonl") for g in args.groups
    }
    print(f"safety rules ({rules.path.name}) on gold answers")
    for name, answers in gold.items():
        _print(name, measure_rules(answers, rules), args.misses)
    if args.llm:
        _llm(gold, rules, args.misses)
    if not MEDQUAD.is_dir():
        print(f"text by others: skipped ({MEDQUAD} is absent)")
        return
    texts = _medquad_answers()
    fails = [f for t in texts for f in check_safety(t, rules=rules) if f.severity is Severity.FAIL]
    by_rule: dict[str, int] = {}
    for f in fails:
        by_rule[f.rule_id] = by_rule.get(f.rule_id, 0) + 1
    print(
        f"text by others: {len(texts)} NCI patient-summary answers (MedQuAD), "
        f"{len(fails)} fail-severity findings (each a false alarm): {by_rule or 'none'}"
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
    fail_rules = {r.id for r in rules.rules if r.severity is Severity.FAIL}
    for name, answers in gold.items():
        judge = open_safety_judge(
            settings, rules, cache_path=cache_path_for("safety_judge_calls.db")
        )
        found, failures = asyncio.run(_judge_all(judge, answers))
        print(f"LLM safety judge {judge.name} on {name}: {failures} judge failures")
        _print(name, measure_findings(answers, found, fail_rules), misses)
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
