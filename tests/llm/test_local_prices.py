"""Prices for a local model: `prices.yaml` in the user's `--datasets` folder, or `--free`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.loopback import LoopbackServer
from workbench.cli.main import main
from workbench.data.datasets import default_datasets_dir

REPO = default_datasets_dir()
GEN = ["generate", "--backend", "openai", "--prompt", "patient_answer@v1", "--limit", "2", "-q"]
PARTS = [
    *("--questions", str(REPO / "questions")),
    *("--excerpts", str(REPO / "excerpts")),
    *("--prompts", str(REPO / "prompts")),
]


def test_the_price_table_of_the_datasets_folder_is_used(
    llm_env: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "prices.yaml").write_text(
        "as_of: 2026-01-01\ncurrency: USD\nper_tokens: 1000000\n"
        "models:\n  llama3.1:8b: {input: 0, output: 0}\n"
    )
    args = [*GEN, "--model", "llama3.1:8b", "--datasets", str(mine), *PARTS, "--max-cost", "0"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "cost at most $0.0000" in out and "cost $0.0000" in out and "unknown" not in out
    assert llm_env.calls == 2


def test_a_datasets_folder_without_prices_falls_back_to_the_repositorys(
    llm_env: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bare").mkdir()
    assert main([*GEN, "--datasets", str(tmp_path / "bare"), *PARTS]) == 0
    assert "cost at most $0.0" in capsys.readouterr().out  # gpt-4o-mini is priced there


def test_free_says_the_endpoint_costs_nothing_and_max_cost_passes(
    llm_env: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*GEN, "--model", "llama3.1:8b", "--max-cost", "0"]) == 2
    err = capsys.readouterr().err
    assert "cost of llama3.1:8b is unknown" in err and "--free" in err and "prices.yaml" in err
    assert main([*GEN, "--model", "llama3.1:8b", "--max-cost", "0", "--free"]) == 0
    out = capsys.readouterr().out
    assert "cost at most $0.0000 (free endpoint)" in out and "cost $0.0000" in out
    assert "unknown" not in out
    assert (
        main(["score", "--judge", "ragas", "--judge-model", "j", "--free", "--max-cost", "0"]) == 0
    )
