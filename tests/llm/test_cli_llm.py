"""The command line with a live endpoint: pre-flight, budget, cache summary, separate judge."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.llm.conftest import KEY
from tests.loopback import LoopbackServer
from workbench.cli.main import main
from workbench.store import SQLiteStore

GEN = ["generate", "--backend", "openai", "--prompt", "patient_answer@v1", "--limit", "3", "-q"]


def test_generate_prints_the_preflight_and_the_cache_summary(
    llm_env: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(GEN) == 0
    out = capsys.readouterr().out
    assert "pre-flight generation (gpt-4o-mini at http://127.0.0.1:" in out
    assert "3 calls, 0 from the cache, 3 to the endpoint" in out and "cost at most $" in out
    assert "generated 3, already done 0" in out and "cache 0 hits, 3 misses" in out
    assert main([*GEN, "--run", "again"]) == 0  # same requests in a new run: all cached
    out = capsys.readouterr().out
    assert "3 calls, 3 from the cache, 0 to the endpoint" in out
    assert "LLM calls: 0 to the endpoint" in out and "cache 3 hits, 0 misses" in out
    assert llm_env.calls == 3
    assert main([*GEN, "--run", "fresh", "--no-cache"]) == 0
    assert llm_env.calls == 6


def test_max_cost_refuses_to_start_a_run_above_it(
    llm_env: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*GEN, "--max-cost", "0.0001"]) == 2
    err = capsys.readouterr().err
    assert "above --max-cost 0.0001" in err and llm_env.calls == 0
    with SQLiteStore("workbench.db") as store:
        assert store.runs() == []
    assert main([*GEN, "--max-cost", "1"]) == 0 and llm_env.calls == 3


def test_max_cost_refuses_a_model_whose_price_is_unknown(
    llm_env: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*GEN, "--model", "llama3.1:8b", "--max-cost", "5"]) == 2
    assert "cost of llama3.1:8b is unknown" in capsys.readouterr().err
    assert llm_env.calls == 0


def test_the_judge_can_be_another_model_on_another_endpoint(
    llm_env: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(GEN) == 0
    with LoopbackServer() as judge_server:
        args = [
            "score",
            "--judge",
            "ragas",
            "--judge-model",
            "judge-8b",
            "--judge-base-url",
            judge_server.url,
            "-q",
        ]
        assert main(args) == 0
        out = capsys.readouterr().out
        assert judge_server.calls == 6 and llm_env.calls == 3
        assert {r["model"] for r in judge_server.requests} == {"judge-8b"}
        assert "ragas:judge-8b" in out and "scored 3, already done 0" in out
        assert "cost unknown (judge-8b is not in " in out and "datasets/prices.yaml; --free" in out
        assert main(args) == 0 and judge_server.calls == 6  # all scored: nothing to do


def test_the_key_is_in_no_output_store_cache_or_report(
    llm_env: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(GEN) == 0
    assert main(["score", "--judge", "ragas", "-q"]) == 0
    assert main(["report", "--out", "rep", "--no-calibration", "-q"]) == 0
    captured = capsys.readouterr()
    assert KEY not in captured.out + captured.err
    files = [p for p in Path(".").rglob("*") if p.is_file()]
    assert any(p.name == "llm-cache.sqlite" for p in files) and any(
        p.suffix == ".html" for p in files
    )
    for path in files:
        assert KEY.encode() not in path.read_bytes(), path


def test_the_preflight_says_what_to_set_for_a_local_server(
    llm_env: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*GEN, "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "is a local server" in out and "--concurrency 1" in out
    assert main([*GEN, "--limit", "2", "--concurrency", "1"]) == 0
    assert "is a local server" not in capsys.readouterr().out
