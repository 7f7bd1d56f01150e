"""What would another answer-level decision cost, on public text and on our gold claims?

Kept as the record of version 5's decision study (version 6's decision, in
`workbench.scoring.aggregate`, came after it; docs/faithfulness.md). Version 5 flagged an
answer when any of its claims was not supported. On news
summaries most false flags come from one paraphrased sentence among several faithful
ones. This measures, on the development half of each public set only (the held-out half,
as `public_judges.half` splits them, stays unlooked-at), the balanced accuracy of:

- the shipped decision: any claim not supported;
- *share*: more than a share s of the claims not supported;
- *contradiction or share*: any claim contradicted (a number, a swapped name, a negation
  or antonym), or more than s of the claims not found;

for s in 1/5, 1/4, 1/3 and 1/2. And what the rules would cost on our gold claims: a
gold claim stands for the one false sentence of a longer answer, so the count is how
many of the hallucinated gold claims the judge catches would no longer flag a five-claim
answer whose other four claims are supported.

    .venv/bin/python benchmarks/decision_rules.py [--shared PATH]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

from public_judges import gold_items, half, sets_in

from workbench.models import ClaimVerdict, Verdict
from workbench.scoring.faithfulness import judge_claims, judge_faithfulness
from workbench.scoring.judge_card import balanced_accuracy

SHARES = (1 / 5, 1 / 4, 1 / 3, 1 / 2)
CLAIMS_IN_ANSWER = 5

Rule = Callable[[Sequence[ClaimVerdict]], bool]


def any_unsupported(vs: Sequence[ClaimVerdict]) -> bool:
    """The shipped decision."""
    return any(not v.verdict.is_supported for v in vs)


def share(s: float) -> Rule:
    """More than a share `s` of the claims not supported."""
    return lambda vs: sum(not v.verdict.is_supported for v in vs) / len(vs) > s


def contradiction_or_share(s: float) -> Rule:
    """Any claim contradicted, or more than a share `s` not found."""
    return lambda vs: (
        any(v.verdict is Verdict.CONTRADICTED for v in vs)
        or (sum(v.verdict is Verdict.NOT_FOUND for v in vs) / len(vs) > s)
    )


def rules() -> dict[str, Rule]:
    out: dict[str, Rule] = {"any claim not supported (shipped)": any_unsupported}
    for s in SHARES:
        out[f"share > {s:.2f}"] = share(s)
        out[f"contradiction or share > {s:.2f}"] = contradiction_or_share(s)
    return out


def caught_gold() -> list[ClaimVerdict]:
    """The judge's verdicts on the hallucinated gold claims it catches."""
    out = []
    for item in gold_items():
        if item.hallucinated:
            (v,) = judge_claims([item.answer], list(item.excerpts))
            if not v.verdict.is_supported:
                out.append(v)
    return out


def lost(rule: Rule, caught: Sequence[ClaimVerdict]) -> int:
    """How many of the `caught` claims would not flag a five-claim answer whose other
    claims are supported."""
    fine = ClaimVerdict("", None, Verdict.SUPPORTED, "", None, None, "offline")
    return sum(not rule([v] + [fine] * (CLAIMS_IN_ANSWER - 1)) for v in caught)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", help="the shared data folder (default ../shared)")
    args = parser.parse_args()
    folder, sets = sets_in(args.shared)
    if not sets:
        print(f"no public set under {folder}/data: gold costs only")
    judged = {
        name: [
            (i.hallucinated, judge_faithfulness(i.answer, i.excerpts).verdicts)
            for i in items
            if half(i) == 0
        ]
        for name, items in sets.items()
    }
    for name, rows in judged.items():
        print(f"{name}, development half: {len(rows)} answers, {sum(h for h, _ in rows)} "
              "hallucinated")  # fmt: skip
    caught = caught_gold()
    for label, rule in rules().items():
        figures = []
        for name, rows in judged.items():
            flags = [rule(vs) if vs else False for _, vs in rows]
            figures.append(
                f"{name} balanced acc. {balanced_accuracy(flags, [h for h, _ in rows]):.3f}"
            )
        print(
            f"  {label:<34} {'  '.join(figures)}  gold: {lost(rule, caught)} of {len(caught)} "
            "caught would pass"
        )


if __name__ == "__main__":
    main()
