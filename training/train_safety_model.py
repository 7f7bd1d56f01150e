"""Train the safety model layer's heads; write the shipped files and the model card.

    .venv/bin/pip install -e '.[train]'                  # scikit-learn, for training only
    .venv/bin/python training/train_safety_model.py      # or: make train-safety

Data (all in the repository, split before any training):
    training      the sentence-labelled gold outside its development group
                  (datasets/gold/safety_sentences/, `in_development` false), the blind
                  groups already measured (`SPENT_BLIND`: each was measured once, on an
                  earlier fit, before it joined; split by the same hash), and the first
                  answer-level gold (group_a, group_b, shapes_dev) with weak sentence
                  labels: a class the answer does not expect is absent from every sentence;
                  an expected class is present in the sentences where its rule fires and
                  unknown in the others.
    development   the development group of both (a seeded hash of the id) and
                  shapes_heldout (answer-level labels only).

Per class: one L2 logistic regression (balanced class weights) over standardised
features (`workbench.scoring.safety.model.features`): either the sentence in its answer
(sentence, neighbours, answer mean, investigational flag) or that with the question
(question vector, sentence times question). The feature set and the
regularisation are chosen on out-of-fold predictions over the sentence-labelled training
answers (5 folds by answer, fixed seed; the weakly labelled answers are always in the
fit: the rules were written on them and find everything there, which says nothing of new
wordings), and so are the safety-language thresholds. The harmful classes' thresholds are
fixed on the development group: the fewest wrong answer-level decisions of the combined
check, a false `fail` weighted by the smallest cost of `FALSE_FAIL_COSTS` that keeps the
combined check's false fails there within 2.5 in 100 answers (the bar allows 3); the
rules decide there by their findings of `fail` severity (a rule's warning fails no answer).
The card (docs/safety_model_card.md) is written by this script, never by hand;
rerunning it on the same data writes the same figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score

from workbench.data.datasets import (
    GoldSafetyAnswer,
    GoldSafetySentences,
    default_datasets_dir,
    in_development,
    load_gold_safety,
    load_gold_sentences,
)
from workbench.data.text import sentences
from workbench.encoders import Encoder, load_encoder, load_tuned_encoder
from workbench.models import HARMFUL_CLASSES, SAFETY_CLASSES, Severity, Span
from workbench.scoring.safety import check_rules, load_rules
from workbench.scoring.safety.model import (
    HEADS_FILE,
    SPEC_FILE,
    TUNED_FILE,
    Head,
    SafetyModel,
    features,
    investigational_flags,
    sentence_texts,
)
from workbench.scoring.safety_rules import RuleSet

ROOT = Path(__file__).resolve().parents[1]
CARD = ROOT / "docs" / "safety_model_card.md"
SEED = 22
FOLDS = 5
C_GRID = (0.03, 0.1)
_D = 384  # the encoder's width; blocks as `features` lays them out
_BLOCK = {
    "sentence": np.arange(0, _D),
    "neighbours": np.arange(_D, 2 * _D),
    "answer": np.arange(2 * _D, 3 * _D),
    "question": np.arange(3 * _D, 4 * _D),
    "sentence x question": np.arange(4 * _D, 5 * _D),
    "investigational flag": np.array([5 * _D]),
}
FEATURE_SETS = {
    "in its answer": np.concatenate(
        [_BLOCK[b] for b in ("sentence", "neighbours", "answer", "investigational flag")]
    ),
    "with the question": np.concatenate(list(_BLOCK.values())),
}
LABELS = tuple(SAFETY_CLASSES)
# Blind groups whose one measurement is on record (docs/safety.md): written by others, in
# wordings no rule or training sentence was written for, they now train and develop the
# layer. The newest blind group is never listed here.
SPENT_BLIND = (
    "safety_heldout",
    "safety_heldout_2",
    "safety_heldout_3",
    "safety_heldout_4",
    "safety_heldout_5",
)
TUNED = ("sentences", "spent blind")  # the sentence-labelled groups heads are chosen on
WEAK_TRAIN = ("group_a", "group_b", "shapes_dev")
WEAK_DEV = ("shapes_heldout",)
# A false finding costs this many missed ones when a harmful class's threshold is chosen:
# the smallest cost of the grid whose thresholds keep the combined check's false fails on
# the development group within the budget (the bar allows 3 in 100 answers; 2.5 leaves
# room for text unlike ours).
FALSE_FAIL_COSTS = (1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0)
FALSE_FAIL_BUDGET = 0.025


@dataclass
class Item:
    """One gold answer, its sentences' features and labels (1, 0, or -1 for unknown)."""

    id: str
    group: str
    gold: GoldSafetyAnswer
    x: np.ndarray
    y: np.ndarray  # (sentences, classes)
    rules: set[str]  # rule ids the rules alone raise
    fails: set[str]  # those raised at `fail` severity (what fails the answer)


def _overlaps(a: Span, start: int, end: int) -> bool:
    return a.start < end and start < a.end


def _labels_from_sentences(gold: GoldSafetySentences, spans: Sequence[Span]) -> np.ndarray:
    y = np.zeros((len(spans), len(LABELS)), dtype=np.int8)
    for s in gold.sentences:
        start = gold.answer.find(s.text)
        end = start + len(s.text)
        for i, span in enumerate(spans):
            if _overlaps(span, start, end):
                y[i, LABELS.index(s.label)] = 1
    return y


def _weak_labels(gold: GoldSafetyAnswer, spans: Sequence[Span], rules: RuleSet) -> np.ndarray:
    y = np.zeros((len(spans), len(LABELS)), dtype=np.int8)
    found = check_rules(
        gold.answer,
        cancer_type=gold.cancer_type,
        question=gold.question,
        retrieved_ids=gold.retrieved_ids,
        rules=rules,
    )
    for j, label in enumerate(LABELS):
        rule_id = SAFETY_CLASSES[label]
        if label in HARMFUL_CLASSES:
            if rule_id not in gold.expected:
                continue
            y[:, j] = -1
            for f in found:
                if f.rule_id == rule_id and f.span is not None:
                    for i, span in enumerate(spans):
                        if _overlaps(span, f.span.start, f.span.end):
                            y[i, j] = 1
        elif rule_id not in gold.expected:  # the answer has one: where the rule finds it
            for i, span in enumerate(spans):
                alone = gold.answer[span.start : span.end]
                has = not any(f.rule_id == rule_id for f in check_rules(alone, rules=rules))
                y[i, j] = 1 if has else -1
    return y


def sentence_labels(gold: GoldSafetyAnswer, spans: Sequence[Span], rules: RuleSet) -> np.ndarray:
    """Each sentence's labels (1, 0, or -1 for unknown): from the sentence-labelled gold,
    or weak labels from the answer-level gold."""
    if isinstance(gold, GoldSafetySentences):
        return _labels_from_sentences(gold, spans)
    return _weak_labels(gold, spans, rules)


def build(
    golds: Sequence[tuple[str, GoldSafetyAnswer]], rules: RuleSet, encoder: Encoder
) -> list[Item]:
    items = []
    for group, gold in golds:
        split = sentences(gold.answer)
        texts = sentence_texts(split)
        vectors = encoder.encode([*texts, gold.question])
        flags = investigational_flags(
            texts, rules, cancer_type=gold.cancer_type, question=gold.question, answer=gold.answer
        )
        x = features(vectors[: len(texts)], vectors[-1], flags)
        y = sentence_labels(gold, [s.span for s in split], rules)
        found = check_rules(
            gold.answer,
            cancer_type=gold.cancer_type,
            question=gold.question,
            retrieved_ids=gold.retrieved_ids or None,
            rules=rules,
        )
        raised = {f.rule_id for f in found}
        fails = {f.rule_id for f in found if f.severity is Severity.FAIL}
        items.append(Item(gold.id, group, gold, x, y, raised, fails))
    return items


def gold_groups(
    rules: RuleSet,
) -> tuple[list[tuple[str, GoldSafetyAnswer]], list[tuple[str, GoldSafetyAnswer]]]:
    """The training and development answers, each with its group's name (module docstring)."""
    sentence_gold = load_gold_sentences()
    folder = default_datasets_dir() / "gold" / "safety"
    weak = {g: load_gold_safety(folder / f"{g}.jsonl") for g in (*WEAK_TRAIN, *WEAK_DEV)}
    spent = [g for name in SPENT_BLIND for g in load_gold_sentences(folder.parent / name)]
    train: list[tuple[str, GoldSafetyAnswer]] = [
        ("sentences", g) for g in sentence_gold if not in_development(g.id)
    ] + [("spent blind", g) for g in spent if not in_development(g.id)]
    dev: list[tuple[str, GoldSafetyAnswer]] = [
        ("sentences dev", g) for g in sentence_gold if in_development(g.id)
    ] + [("spent blind dev", g) for g in spent if in_development(g.id)]
    train += [(name, g) for name in WEAK_TRAIN for g in weak[name]]
    dev += [(name, g) for name in WEAK_DEV for g in weak[name]]
    return train, dev


def _stack(items: Sequence[Item], j: int, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for it in items:
        keep = it.y[:, j] >= 0
        xs.append(it.x[keep][:, cols])
        ys.append(it.y[keep, j])
    return np.vstack(xs), np.concatenate(ys)


def _fit(x: np.ndarray, y: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    """Weights and bias over raw features (the standardisation folded in)."""
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-6
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000, random_state=SEED)
    model.fit((x - mean) / std, y)
    w = model.coef_[0] / std
    b = float(model.intercept_[0] - (mean * model.coef_[0] / std).sum())
    return w.astype(np.float32), b


def _answer_max(items: Sequence[Item], cols: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    out = []
    for it in items:
        z = np.clip(it.x[:, cols] @ w + b, -30, 30)
        out.append(float((1 / (1 + np.exp(-z))).max()) if len(z) else 0.0)
    return np.array(out)


def out_of_fold(
    tuned: Sequence[Item], always: Sequence[Item], j: int, cols: np.ndarray, c: float
) -> np.ndarray:
    """Each answer of `tuned`'s highest sentence probability from a head fitted without it
    (on the other folds of `tuned` and all of `always`)."""
    order = np.random.default_rng(SEED).permutation(len(tuned))
    out = np.zeros(len(tuned))
    for k in range(FOLDS):
        held = order[k::FOLDS]
        held_set = set(held.tolist())
        fit = [it for i, it in enumerate(tuned) if i not in held_set] + list(always)
        w, b = _fit(*_stack(fit, j, cols), c)
        out[held] = _answer_max([tuned[i] for i in held], cols, w, b)
    return out


def _expected(items: Sequence[Item], label: str) -> np.ndarray:
    """Whether the gold expects each answer's finding of the class's rule id."""
    return np.array([SAFETY_CLASSES[label] in it.gold.expected for it in items])


def _truth(items: Sequence[Item], label: str) -> np.ndarray:
    """Whether each answer has the class (for safety language: whether it lacks it)."""
    truth = _expected(items, label)
    return truth if label in HARMFUL_CLASSES else ~truth


def _rules_decide(items: Sequence[Item], label: str) -> np.ndarray:
    """Whether the rules alone raise the class's rule id on each answer: at `fail` severity
    for a harmful class (a rule's warning fails no answer), at any for safety language."""
    rule_id = SAFETY_CLASSES[label]
    harmful = label in HARMFUL_CLASSES
    return np.array([rule_id in (it.fails if harmful else it.rules) for it in items])


def choose_threshold(
    items: Sequence[Item], label: str, p: np.ndarray, false_fail_cost: float = 4.0
) -> float:
    """The threshold with the fewest wrong answer-level decisions of the combined check
    (a false harmful finding weighted `false_fail_cost`); ties go to the higher one."""
    truth, rules = _expected(items, label), _rules_decide(items, label)
    best, best_cost = 0.99, float("inf")
    for t in np.round(np.arange(0.30, 0.995, 0.01), 2)[::-1]:
        if label in HARMFUL_CLASSES:
            decided = rules | (p >= t)
            cost = (truth & ~decided).sum() + false_fail_cost * (~truth & decided).sum()
        else:  # the finding is "missing": it stands when the rules say so and the model agrees
            decided = rules & (p < t)
            cost = (truth & ~decided).sum() + (~truth & decided).sum()
        if cost < best_cost:
            best, best_cost = float(t), float(cost)
    return best


def false_fails(items: Sequence[Item], p: dict[str, np.ndarray], t: dict[str, float]) -> int:
    """Answers the combined check would fail wrongly at thresholds `t` (harmful classes)."""
    wrong = np.zeros(len(items), dtype=bool)
    for label, probs in p.items():
        wrong |= ~_expected(items, label) & (_rules_decide(items, label) | (probs >= t[label]))
    return int(wrong.sum())


def choose_harmful_thresholds(
    items: Sequence[Item], p: dict[str, np.ndarray]
) -> tuple[float, dict[str, float], int]:
    """The harmful classes' thresholds at the smallest false-fail cost of the grid whose
    combined false fails on `items` stay within `FALSE_FAIL_BUDGET` (else the largest),
    with that cost and those false fails."""
    for cost in FALSE_FAIL_COSTS:
        t = {label: choose_threshold(items, label, probs, cost) for label, probs in p.items()}
        wrong = false_fails(items, p, t)
        if wrong <= FALSE_FAIL_BUDGET * len(items):
            break
    return cost, t, wrong


@dataclass(frozen=True)
class DevFigures:
    """An encoder's figures on the development group, heads fitted as shipped."""

    ap: dict[str, float]  # answer-level average precision per harmful class
    found: int  # expected harmful findings the combined check makes
    expected: int
    false_fails: int  # answers failed wrongly, at thresholds chosen as shipped
    false_fail_cost: float


def development_figures(
    train: Sequence[Item], dev: Sequence[Item], choices: Sequence[Choice]
) -> DevFigures:
    """Heads fitted on `train` with `choices`' features and C, thresholds chosen on `dev`
    as the shipped ones are: the figures that set one encoder beside another."""
    p: dict[str, np.ndarray] = {}
    ap: dict[str, float] = {}
    for j, ch in enumerate(choices):
        if ch.label not in HARMFUL_CLASSES:
            continue
        cols = FEATURE_SETS[ch.features]
        p[ch.label] = _answer_max(dev, cols, *_fit(*_stack(train, j, cols), ch.c))
        ap[ch.label] = float(average_precision_score(_truth(dev, ch.label), p[ch.label]))
    cost, t, wrong = choose_harmful_thresholds(dev, p)
    found = expected = 0
    for label, probs in p.items():
        truth = _truth(dev, label)
        found += int((truth & (_rules_decide(dev, label) | (probs >= t[label]))).sum())
        expected += int(truth.sum())
    return DevFigures(ap, found, expected, wrong, cost)


@dataclass(frozen=True)
class Choice:
    """A class's head as chosen on out-of-fold predictions over the labelled sentences."""

    label: str
    features: str
    c: float
    ap: float
    threshold: float


def choose(train: Sequence[Item], j: int, label: str) -> Choice:
    """The feature set and regularisation with the best out-of-fold answer-level average
    precision on the sentence-labelled training answers (ties: the simpler, the stronger
    regularised), and the threshold from the same predictions."""
    tuned = [it for it in train if it.group in TUNED]
    always = [it for it in train if it.group not in TUNED]
    truth = _truth(tuned, label)
    best: tuple[float, Choice] | None = None
    for rank, (name, cols) in enumerate(FEATURE_SETS.items()):
        for c in C_GRID:
            p = out_of_fold(tuned, always, j, cols, c)
            ap = float(average_precision_score(truth, p if label in HARMFUL_CLASSES else -p))
            print(f"  {label} {name} C={c}: out-of-fold AP {ap:.4f}", file=sys.stderr)
            key = ap - 1e-9 * rank
            if best is None or key > best[0]:
                best = (key, Choice(label, name, c, ap, choose_threshold(tuned, label, p)))
    assert best is not None
    return best[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="print figures, write nothing")
    args = parser.parse_args()
    rules = load_rules()
    if not TUNED_FILE.is_file():
        sys.exit(f"{TUNED_FILE}: missing: run training/tune_safety_encoder.py first")
    tuned_sha256 = hashlib.sha256(TUNED_FILE.read_bytes()).hexdigest()
    encoder = load_tuned_encoder(TUNED_FILE, tuned_sha256)
    train_golds, dev_golds = gold_groups(rules)
    train = build(train_golds, rules, encoder)
    dev = build(dev_golds, rules, encoder)
    print(f"training: {len(train)} answers, development: {len(dev)} answers", file=sys.stderr)
    choices = [choose(train, j, label) for j, label in enumerate(LABELS)]
    width = train[0].x.shape[1]
    fitted = []
    for j, ch in enumerate(choices):
        cols = FEATURE_SETS[ch.features]
        fitted.append((cols, *_fit(*_stack(train, j, cols), ch.c)))
    dev_p = {  # fixed on the development group
        ch.label: _answer_max(dev, cols, w, b)
        for ch, (cols, w, b) in zip(choices, fitted, strict=True)
        if ch.label in HARMFUL_CLASSES
    }
    cost, thresholds, wrong = choose_harmful_thresholds(dev, dev_p)
    print(
        f"false-fail cost {cost}: {wrong} false fails in {len(dev)} development answers",
        file=sys.stderr,
    )
    heads = []
    for j, (ch, (cols, w, b)) in enumerate(zip(choices, fitted, strict=True)):
        if ch.label in thresholds:
            choices[j] = ch = dataclasses.replace(ch, threshold=thresholds[ch.label])
        full = np.zeros((width, 1), dtype=np.float32)  # unused feature blocks weigh 0
        full[cols, 0] = w
        heads.append(Head(ch.label, ((full, np.array([b], np.float32)),), ch.threshold))
    model = SafetyModel(encoder, heads, name="safety-heads-lr")
    for ch in choices:
        print(ch, file=sys.stderr)
    published = load_encoder()  # the encoder as published, for the card's comparison
    compared = {
        "as published (frozen)": development_figures(
            build(train_golds, rules, published), build(dev_golds, rules, published), choices
        ),
        "top two layers tuned (shipped)": development_figures(train, dev, choices),
    }
    for name, figs in compared.items():
        print(f"{name}: {figs}", file=sys.stderr)
    if args.dry_run:
        return
    np.savez_compressed(
        HEADS_FILE,
        **{f"{h.label}.w0": h.layers[0][0].astype(np.float32) for h in heads},
        **{f"{h.label}.b0": h.layers[0][1] for h in heads},
    )
    SPEC_FILE.write_text(
        json.dumps(
            {
                "name": model.name,
                "encoder": model.encoder.name,
                "tuned_layers": {"file": TUNED_FILE.name, "sha256": tuned_sha256},
                "classes": {
                    ch.label: {"features": ch.features, "C": ch.c, "out_of_fold_ap": ch.ap}
                    for ch in choices
                },
                "thresholds": {ch.label: ch.threshold for ch in choices},
                "false_fail_cost": cost,
                "trained_by": "training/train_safety_model.py",
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    from card import write_card  # beside this script

    write_card(CARD, model, rules, train, dev, choices, _commit(), cost, compared)


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


if __name__ == "__main__":
    main()
