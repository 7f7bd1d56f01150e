"""The scorers against the gold labels, overall and per group of gold files.

Group A (breast, lung, colorectal, prostate, general) was looked at while the offline
judge was developed; group B (leukemia, lymphoma, myeloma, melanoma, ovarian,
pancreatic) only after its first measurement. Safety answers: group_a.jsonl, group_b.jsonl.

    .venv/bin/python benchmarks/gold_measures.py
"""

from __future__ import annotations

from workbench.data.datasets import (
    default_datasets_dir,
    load_corpus,
    load_gold_claims,
    load_gold_safety,
)
from workbench.scoring.calibration import measure_judge, measure_safety
from workbench.scoring.faithfulness import OfflineJudge

GROUP_A = ("breast", "lung", "colorectal", "prostate", "general")
GROUP_B = ("leukemia", "lymphoma", "myeloma", "melanoma", "ovarian", "pancreatic")


def main() -> None:
    corpus = load_corpus()
    gold = default_datasets_dir() / "gold"
    judge = OfflineJudge()
    groups = {"all": GROUP_A + GROUP_B, "group A": GROUP_A, "group B": GROUP_B}
    print("faithfulness judge 'offline' on gold claims")
    for name, files in groups.items():
        claims = [c for f in files for c in load_gold_claims(gold / "claims" / f"{f}.jsonl")]
        m = measure_judge(judge, claims, corpus.excerpts)
        print(
            f"  {name:8} n={m.n:3}  balanced accuracy {m.balanced_accuracy:.3f}  "
            f"three-way {m.accuracy_3way:.3f}  recall supported {m.recall['supported']:.3f}  "
            f"unsupported {m.recall['not_supported']:.3f}"
        )
        if name == "all":
            print("  by trap: " + ", ".join(f"{t} {v:.2f}" for t, v in m.by_trap.items()))
    print("safety rules on gold answers")
    for name, files in {"all": None, "group A": "group_a", "group B": "group_b"}.items():
        path = gold / "safety" if files is None else gold / "safety" / f"{files}.jsonl"
        s = measure_safety(load_gold_safety(path))
        print(f"  {name:8} n={s.n_answers:3}  precision {s.precision:.3f}  recall {s.recall:.3f}")


if __name__ == "__main__":
    main()
