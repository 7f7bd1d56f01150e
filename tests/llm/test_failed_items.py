"""Exit codes of `generate` and `score`: a batch with failed items exits 1, keeps what
finished, prints one line per failed item and a summary; a clean rerun exits 0."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from tests.llm.conftest import KEY
from tests.loopback import STATEMENT_MARK, LoopbackServer, Reply, smart_reply
from workbench.cli.main import main
from workbench.models import EvaluationStatus
from workbench.store import SQLiteStore

GEN = ["generate", "--backend", "openai", "--prompt", "patient_answer@v1", "-q"]


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_generate_against_a_closed_port_exits_1_with_a_line_per_question(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{closed_port()}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("WORKBENCH_MODEL", "local-model")
    assert main([*GEN, "--limit", "2", "--retries", "0"]) == 1
    captured = capsys.readouterr()
    failed = [line for line in captured.err.splitlines() if line.startswith("  failed ")]
    assert len(failed) == 2 and all(
        "connection refused (is the server running?)" in line for line in failed
    )
    assert "generated 0, failed 2, already done 0" in captured.out
    assert "exit status 1" in captured.err


def test_a_partly_failed_generation_keeps_what_finished_and_a_rerun_exits_0(
    llm_env: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    llm_env.script(Reply(status=400))  # the first question is refused, not retried
    assert main([*GEN, "--limit", "3"]) == 1
    assert "generated 2, failed 1, already done 0" in capsys.readouterr().out
    with SQLiteStore("workbench.db") as store:
        assert len(store.answers()) == 2
    assert main([*GEN, "--limit", "3"]) == 0
    assert "generated 1, already done 2" in capsys.readouterr().out
    assert llm_env.calls == 4


def test_score_exits_1_when_a_judgment_failed(
    llm_env: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*GEN, "--limit", "2"]) == 0
    broken = {"n": 0}

    def first_judgment_broken(request: dict[str, Any]) -> Reply:
        if STATEMENT_MARK in str(request["messages"][-1]["content"]) and broken["n"] == 0:
            broken["n"] += 1
            return Reply("{not json")
        return smart_reply(request)

    llm_env.responder = first_judgment_broken
    capsys.readouterr()
    assert main(["score", "--judge", "ragas", "-q"]) == 1
    captured = capsys.readouterr()
    assert "scored 1, failed 1, already done 0" in captured.out
    assert "judge failed: the judge did not reply in JSON" in captured.err
    with SQLiteStore("workbench.db") as store:  # the failure is kept as a value
        statuses = sorted(e.status for e in store.evaluations())
    assert statuses == [EvaluationStatus.JUDGE_FAILED, EvaluationStatus.SCORED]


def test_an_offline_batch_with_nothing_failed_exits_0() -> None:
    assert main(["generate", "--limit", "2", "-q"]) == 0
    assert main(["score", "-q"]) == 0


def test_a_failed_judgment_is_retried_by_a_plain_score_not_replayed_from_the_cache(
    llm_env: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*GEN, "--limit", "2"]) == 0
    broken = {"n": 0}

    def first_judgment_cut_off(request: dict[str, Any]) -> Reply:
        if STATEMENT_MARK in str(request["messages"][-1]["content"]) and broken["n"] == 0:
            broken["n"] += 1
            return Reply('{"statements": ["It is', finish_reason="length")
        return smart_reply(request)

    llm_env.responder = first_judgment_cut_off
    assert main(["score", "--judge", "ragas", "-q"]) == 1
    calls = llm_env.calls
    capsys.readouterr()
    assert main(["score", "--judge", "ragas", "-q"]) == 0
    out = capsys.readouterr().out
    assert "2 calls, 0 from the cache, 2 to the endpoint" in out  # the pre-flight knows
    assert "scored 1, already done 1" in out
    assert llm_env.calls == calls + 2  # statements again, then the verdicts
    with SQLiteStore("workbench.db") as store:
        assert {e.status for e in store.evaluations()} == {EvaluationStatus.SCORED}


def test_an_empty_answer_is_not_cached_so_the_rerun_asks_again(
    llm_env: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    llm_env.script(Reply(""))
    assert main([*GEN, "--limit", "1"]) == 1
    assert "empty answer" in capsys.readouterr().err
    assert main([*GEN, "--limit", "1"]) == 0
    assert llm_env.calls == 2


def test_the_console_summary_prints_a_dash_not_none_when_every_judgment_failed(
    llm_env: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*GEN, "--limit", "2"]) == 0
    llm_env.responder = lambda request: (
        Reply("{}") if "json_object" in str(request) else smart_reply(request)
    )
    assert main(["score", "--judge", "ragas", "-q"]) == 1
    out = capsys.readouterr().out
    assert "scored 0, failed 2, already done 0" in out
    table = out[out.index("prompt ") :]
    assert "None" not in table and "NaN" not in table and "nan" not in table
    assert "–" in table


def test_judge_max_tokens_bounds_the_judges_replies(llm_env: LoopbackServer) -> None:
    assert main([*GEN, "--limit", "1", "--max-tokens", "300"]) == 0
    assert llm_env.requests[-1]["max_tokens"] == 300
    assert main(["score", "--judge", "ragas", "--judge-max-tokens", "64", "-q"]) == 0
    assert {r["max_tokens"] for r in llm_env.requests[1:]} == {64}
