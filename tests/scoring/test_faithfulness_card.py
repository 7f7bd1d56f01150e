"""The figures behind the judge card, the card file itself, and the public benchmark's skip."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from workbench.scoring.judge_card import (
    JudgeCard,
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


def test_card_round_trip(tmp_path: Path) -> None:
    fig = measure("set", "offline v3", [0.9, 0.1], [False, True], [False, True], 1.0)
    card = JudgeCard("offline", "3", 0.5, "rule", "2026-12-02", "cmd", (fig,), (fig,))
    write_card(card, tmp_path / "card.json")
    loaded = load_card(tmp_path / "card.json")
    assert loaded == replace(card, figures=(fig,), baseline=(fig,))
    assert load_card(tmp_path / "missing.json") is None


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
