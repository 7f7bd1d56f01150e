"""ragas' response relevancy with `score --judge ragas`, through a loopback endpoint's
chat completions and embeddings; an endpoint without embeddings is a value, not a crash."""

from __future__ import annotations

import pytest

from tests.loopback import LoopbackServer
from workbench.cli.main import main
from workbench.store import SQLiteStore


def _env(server: LoopbackServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("WORKBENCH_MODEL", "gpt-4o-mini")


def test_ragas_relevancy_is_stored_beside_the_offline_judges(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with LoopbackServer() as server:
        _env(server, monkeypatch)
        assert main(["generate", "--prompt", "patient_answer@v1", "--limit", "2", "-q"]) == 0
        assert main(["score", "--judge", "ragas", "--ragas-relevancy", "-q"]) == 0
        with SQLiteStore("workbench.db") as store:
            evs = store.evaluations()
        assert server.embedding_requests and server.embedding_requests[0]["model"]
    assert len(evs) == 2
    for ev in evs:
        assert ev.relevance is not None and ev.relevance.judge == "offline-relevance"
        r = ev.llm_relevance
        assert r is not None and r.judge == "ragas-relevancy:gpt-4o-mini"
        assert r.score is not None and 0 < r.score <= 1 and not r.flagged
        assert r.reason.startswith("ragas: the answer answers 'What about")


def test_without_the_option_ragas_is_not_asked_for_relevancy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with LoopbackServer() as server:
        _env(server, monkeypatch)
        assert main(["generate", "--prompt", "patient_answer@v1", "--limit", "1", "-q"]) == 0
        assert main(["score", "--judge", "ragas", "-q"]) == 0
        assert server.calls == 2 and not server.embedding_requests  # ragas: two prompts
    with SQLiteStore("workbench.db") as store:
        (ev,) = store.evaluations()
    assert ev.llm_relevance is None and ev.relevance is not None


def test_an_endpoint_without_embeddings_gives_a_value_not_a_crash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with LoopbackServer(embeddings=False) as server:
        _env(server, monkeypatch)
        assert main(["generate", "--prompt", "patient_answer@v1", "--limit", "1", "-q"]) == 0
        assert main(["score", "--judge", "ragas", "--ragas-relevancy", "-q"]) == 0
    with SQLiteStore("workbench.db") as store:
        (ev,) = store.evaluations()
    assert ev.faithfulness is not None  # the judge's own work is kept
    r = ev.llm_relevance
    assert r is not None and r.score is None
    assert "ragas response relevancy failed" in r.reason and "embeddings" in r.reason
