"""The figures behind the judge card, the card file itself, and the public benchmark's skip."""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from workbench.scoring.judge_card import (
    JudgeCard,
    auc_gain,
    auc_interval,
    balanced_accuracy,
    best_balanced_accuracy,
    load_card,
    measure,
    roc_auc,
    tie_share,
    write_card,
)

REPO = Path(__file__).resolve().parents[2]


def test_auc_counts_ties_half_and_is_chance_for_a_constant() -> None:
    hallucinated = [False, False, True, True]
    assert roc_auc([0.9, 0.8, 0.2, 0.1], hallucinated) == 1.0
    assert roc_auc([0.1, 0.2, 0.8, 0.9], hallucinated) == 0.0
    assert roc_auc([0.5, 0.5, 0.5, 0.5], hallucinated) == 0.5
    assert roc_auc([0.9, 0.5, 0.5, 0.1], hallucinated) == pytest.approx(7 / 8)


def test_balanced_accuracy_and_its_best_cut() -> None:
    hallucinated = [True, True, False, False]
    assert balanced_accuracy([True, False, False, False], hallucinated) == 0.75
    assert balanced_accuracy([True, True, True, True], hallucinated) == 0.5
    assert best_balanced_accuracy([0.1, 0.2, 0.8, 0.9], hallucinated) == 1.0


def test_tie_share_looks_only_inside_a_group() -> None:
    scores = [0.7, 0.7, 0.7, 0.2]
    hallucinated = [False, True, False, True]
    assert tie_share(scores, hallucinated, ["a", "a", "b", "b"]) == 0.5
    assert tie_share(scores, hallucinated, ["a", "b", "c", "d"]) is None


def test_measure_counts_the_confusion_of_the_decision() -> None:
    f = measure("set", "j", [0.9, 0.3, 0.8, 0.1], [False, True, True, True],
                [False, True, False, True], 2.0)  # fmt: skip
    assert (f.true_flags, f.false_flags, f.missed, f.passed) == (2, 1, 0, 1)
    assert f.balanced_accuracy == 0.75 and f.answers_per_s == 2.0 and f.auc == 1.0


def _clustered(
    separations: tuple[float, ...] = (-0.5, 2.5), groups: int = 40, size: int = 6
) -> tuple[list[float], list[bool], list[str]]:
    """Answers in groups where how well the score separates depends on the group (as six
    summaries of one story share its words): a score that ranks well but not perfectly."""
    rng = random.Random(7)
    scores: list[float] = []
    labels: list[bool] = []
    names: list[str] = []
    for g in range(groups):
        separation = rng.choice(separations)  # some stories are hard, others easy
        for k in range(size):
            bad = k % 3 == 0
            scores.append(rng.gauss(0, 1) - (separation if bad else 0.0))
            labels.append(bad)
            names.append(f"g{g}")
    return scores, labels, names


def test_auc_interval_holds_the_estimate_and_widens_for_correlated_groups() -> None:
    scores, labels, groups = _clustered()
    auc = roc_auc(scores, labels)
    low, high = auc_interval(scores, labels, groups)
    assert 0.5 < low < auc < high < 1.0
    assert auc_interval(scores, labels, groups) == (low, high)  # fixed seed: same figures
    loose_low, loose_high = auc_interval(scores, labels, [str(i) for i in range(len(scores))])
    assert high - low > 1.15 * (loose_high - loose_low)  # answers of one source move together
    separated = [1.0 if not h else 0.0 for h in labels]
    assert auc_interval(separated, labels, groups) == (1.0, 1.0)


def test_auc_gain_is_paired_and_signed() -> None:
    scores, labels, groups = _clustered()
    assert auc_gain(scores, scores, labels, groups) == (0.0, 0.0, 0.0)
    scores, labels, groups = _clustered((2.5,))
    noisy = [s + random.Random(i).gauss(0, 3) for i, s in enumerate(scores)]
    gain, low, high = auc_gain(scores, noisy, labels, groups)
    assert gain == pytest.approx(roc_auc(scores, labels) - roc_auc(noisy, labels))
    assert 0.0 < low < gain < high
    worse = auc_gain(noisy, scores, labels, groups)
    assert worse[0] == pytest.approx(-gain) and worse[2] < 0.0


def test_measure_gives_an_interval_only_with_groups() -> None:
    scores, labels, groups = _clustered()
    flags = [s < 0 for s in scores]
    assert measure("s", "j", scores, flags, labels, 1.0).auc_low is None
    f = measure("s", "j", scores, flags, labels, 1.0, groups=groups)
    assert f.auc_low is not None and f.auc_high is not None
    assert f.auc_low < f.auc < f.auc_high


def test_card_round_trip(tmp_path: Path) -> None:
    fig = measure("set", "offline v3", [0.9, 0.1], [False, True], [False, True], 1.0)
    card = JudgeCard("offline", "3", 0.5, "rule", "2026-12-02", "cmd", (fig,), (fig,))
    write_card(card, tmp_path / "card.json")
    loaded = load_card(tmp_path / "card.json")
    assert loaded == replace(card, figures=(fig,), baseline=(fig,))
    assert load_card(tmp_path / "missing.json") is None
    near = replace(fig, auc_high=0.74149)  # 0.7415 after rounding to 4 places prints 0.742
    write_card(replace(card, figures=(near,)), tmp_path / "near.json")
    again = load_card(tmp_path / "near.json")
    assert again is not None and f"{again.figures[0].auc_high:.3f}" == "0.741"


def test_the_shipped_card_names_its_command_and_a_public_set() -> None:
    card = load_card()
    assert card is not None, "benchmarks/public_judges.py --write-card writes it"
    assert card.command.startswith("python benchmarks/public_judges.py --write-card")
    assert any(f.data_set != "gold-claims" for f in card.figures)
    assert any(f.data_set == "gold-claims" for f in card.figures)


def test_public_benchmark_skips_cleanly_without_the_shared_folder(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("OPENAI_BASE_URL", None)
    env.pop("OPENAI_API_KEY", None)
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "public_judges.py"), "--no-llm",
         "--shared", str(tmp_path / "absent"), "--write-card"],
        capture_output=True, text=True, env=env, check=False, timeout=300,
    )  # fmt: skip
    assert "skipped the public sets" in done.stdout and str(tmp_path / "absent") in done.stdout
    assert re.search(r"gold-claims: \d+ answers", done.stdout)
    assert done.returncode == 2  # a card needs a public set: it is not written
    assert "card not written" in done.stdout
