"""Concurrent batches over HTTP: reruns cost nothing, failures are values, reports count them."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.llm.conftest import make_client
from tests.loopback import STATEMENT_MARK, LoopbackServer, Reply, smart_reply
from workbench.data.datasets import Corpus
from workbench.generation.openai_backend import OpenAIBackend
from workbench.models import EvaluationStatus
from workbench.reports.frame import evaluation_frame
from workbench.reports.summary import summary_frame
from workbench.runs.batch import agenerate_batch, generate_batch, score_batch
from workbench.scoring.ragas_judge import RagasJudge
from workbench.store import SQLiteStore, Store

PROMPT = "patient_answer@v1"


def generate(store: Store, corpus: Corpus, backend: OpenAIBackend, n: int = 6) -> int:
    questions = list(corpus.questions[:n])
    report = generate_batch(
        store, corpus, backend, PROMPT, questions, questions_source="t", progress=False
    )
    return report.done


def test_an_unchanged_rerun_makes_no_endpoint_call(
    server: LoopbackServer, store: Store, corpus: Corpus, tmp_path: Path
) -> None:
    assert generate(store, corpus, OpenAIBackend(make_client(server, tmp_path))) == 6
    assert server.calls == 6
    fresh = SQLiteStore(tmp_path / "other.db")  # another store in the folder shares the cache
    backend = OpenAIBackend(make_client(server, tmp_path))
    assert generate(fresh, corpus, backend) == 6
    assert server.calls == 6
    assert (backend.client.stats.cache_hits, backend.client.stats.cache_misses) == (6, 0)
    answer = fresh.answers()[0]
    assert answer.settings["cache"] == "hit" and answer.model == "gpt-4o-mini"
    assert answer.prompt_tokens and answer.latency_s and answer.cost_usd
    fresh.close()


def test_answers_record_usage_latency_model_and_cost(
    server: LoopbackServer, store: Store, corpus: Corpus
) -> None:
    generate(store, corpus, OpenAIBackend(make_client(server)), n=2)
    for a in store.answers():
        assert a.backend == "openai" and a.run_id == f"{PROMPT}.openai.gpt-4o-mini"
        assert a.prompt_tokens and a.completion_tokens and a.latency_s is not None
        assert a.cost_usd is not None and a.settings["served_by"] == "gpt-4o-mini"
        assert a.cited_ids and set(a.cited_ids) <= set(a.retrieved_ids)


def test_a_question_the_endpoint_fails_is_reported_and_the_batch_goes_on(
    server: LoopbackServer, store: Store, corpus: Corpus
) -> None:
    questions = list(corpus.questions[:4])

    def two_bad_questions(request: dict[str, Any]) -> Reply:
        user = str(request["messages"][-1]["content"])
        if questions[0].text in user:
            return Reply("")
        if questions[1].text in user:
            return Reply(status=500)
        return smart_reply(request)

    server.responder = two_bad_questions
    backend = OpenAIBackend(make_client(server))
    report = generate_batch(
        store, corpus, backend, PROMPT, questions, questions_source="t", progress=False
    )
    assert report.done == 2 and len(report.failed) == 2
    reasons = " ".join(why for _, why in report.failed)
    assert "empty answer" in reasons and "gave up after 4 attempts" in reasons


def test_a_failing_judge_is_stored_counted_and_retried_next_run(
    server: LoopbackServer, store: Store, corpus: Corpus, tmp_path: Path
) -> None:
    generate(store, corpus, OpenAIBackend(make_client(server, tmp_path)), n=3)
    broken = {"n": 0}

    def one_broken_json(request: dict[str, Any]) -> Reply:
        prompt = str(request["messages"][-1]["content"])
        if STATEMENT_MARK in prompt and broken["n"] == 0:
            broken["n"] += 1
            return Reply("{not json at all")
        return smart_reply(request)

    server.responder = one_broken_json
    judge = RagasJudge(make_client(server, tmp_path, use_cache=False))
    report = score_batch(store, corpus, judge, progress=False)
    assert report.done == 2 and len(report.failed) == 1 and not report.ok
    assert report.failed[0][1].startswith("judge failed: the judge did not reply in JSON")
    statuses = sorted(e.status for e in store.evaluations())
    assert statuses.count(EvaluationStatus.JUDGE_FAILED) == 1
    failed = next(e for e in store.evaluations() if e.status is EvaluationStatus.JUDGE_FAILED)
    assert failed.error and failed.error.startswith("judge failed: the judge did not reply in JSON")
    assert failed.faithfulness is None and failed.fk_grade is not None  # safety still ran
    summary = summary_frame(evaluation_frame(store, corpus))
    assert int(summary["judge_failed"].sum()) == 1
    retry = RagasJudge(make_client(server, tmp_path, use_cache=False))
    again = score_batch(store, corpus, retry, progress=False)
    assert (again.done, again.skipped) == (1, 2)
    assert all(e.status is EvaluationStatus.SCORED for e in store.evaluations())


def test_the_batch_can_be_awaited_in_a_running_loop(
    server: LoopbackServer, store: Store, corpus: Corpus
) -> None:
    openai_backend = OpenAIBackend(make_client(server))

    async def notebook_cell() -> int:
        report = await agenerate_batch(
            store,
            corpus,
            openai_backend,
            PROMPT,
            list(corpus.questions[:2]),
            questions_source="t",
            progress=False,
        )
        return report.done

    assert asyncio.run(notebook_cell()) == 2
