"""ragas' context precision and recall with `score --judge ragas --ragas-context`, through
a loopback endpoint: stored per evaluation, in the CSV and the report, counted in the
pre-flight; a broken or off-schema reply is a stored value, never a crash."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from ragas.dataset_schema import SingleTurnSample
from ragas.metrics._context_precision import IDBasedContextPrecision  # not in collections
from ragas.metrics._context_recall import IDBasedContextRecall
from ragas.metrics.collections import ContextUtilization

from tests.llm.conftest import make_client
from tests.loopback import CONTEXT_MARK, LoopbackServer, Reply, smart_reply
from workbench.cli.main import main
from workbench.data.datasets import load_gold_retrieval
from workbench.models import Answer, ContextScores, Evaluation, Excerpt, Question
from workbench.scoring.ragas_context import (
    RagasContext,
    average_precision,
    id_precision,
    id_recall,
)
from workbench.store import SQLiteStore

TODAY = date(2026, 1, 5)
ARGS = ["score", "--judge", "ragas", "--ragas-context"]


def _env(server: LoopbackServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("WORKBENCH_MODEL", "gpt-4o-mini")


def _evaluations() -> tuple[list[Evaluation], dict[str, tuple[str, ...]]]:
    with SQLiteStore("workbench.db") as store:
        return store.evaluations(), {a.id: a.retrieved_ids for a in store.answers()}


def _context_calls(server: LoopbackServer) -> int:
    return sum(CONTEXT_MARK in r["messages"][-1]["content"] for r in server.requests)


@pytest.mark.parametrize(
    "verdicts", [[1, 0, 1], [0, 0, 1, 1], [1, 1, 1], [0, 0, 0], [0, 1, 0, 0, 1, 1]]
)
def test_average_precision_is_ragas_own(verdicts: list[int]) -> None:
    ragas_ap = ContextUtilization.__new__(ContextUtilization)._calculate_average_precision
    assert average_precision(verdicts) == pytest.approx(ragas_ap(verdicts), abs=1e-9)


@pytest.mark.parametrize(
    ("retrieved", "relevant"),
    [(["a", "b", "c"], ["b", "d"]), (["a"], ["a"]), (["a", "b"], ["c"]), (["a", "a", "b"], ["a"])],
)
def test_id_based_figures_are_ragas_own(retrieved: list[str], relevant: list[str]) -> None:
    sample = SingleTurnSample(retrieved_context_ids=retrieved, reference_context_ids=relevant)
    precision = asyncio.run(IDBasedContextPrecision().single_turn_ascore(sample))
    recall = asyncio.run(IDBasedContextRecall().single_turn_ascore(sample))
    assert id_precision(retrieved, relevant) == pytest.approx(precision)
    assert id_recall(retrieved, relevant) == pytest.approx(recall)


def _answer(text: str, excerpts: tuple[Excerpt, ...]) -> Answer:
    return Answer(
        "a-1", "r", "q-1", "p@v1", "offline", "m", text, (), tuple(e.id for e in excerpts)
    )


def test_useful_excerpts_ranked_lower_score_lower(server: LoopbackServer, tmp_path: Path) -> None:
    def excerpt(i: str, text: str) -> Excerpt:
        return Excerpt(i, text, "lung", (), "Source", "Section", "https://example.org", TODAY)

    used = excerpt("e-used", "Immunotherapy medicines strengthen the immune response.")
    other = excerpt("e-other", "Screening lowers deaths among heavy smokers.")
    question = Question("q-1", "How does immunotherapy work?", "lung")
    text = "Immunotherapy medicines help your immune response find the cancer."
    judge = RagasContext(make_client(server, tmp_path), gold={"q-1": ("e-used",)})

    async def both_orders() -> list[ContextScores]:
        try:
            return [
                await judge.ajudge(question, _answer(text, order), order)
                for order in ((used, other), (other, used))
            ]
        finally:
            await judge.client.aclose()

    first, second = asyncio.run(both_orders())
    assert (first.precision, second.precision) == (1.0, 0.5)
    for c in (first, second):
        assert sum(c.verdicts) == 1 and (c.id_precision, c.id_recall) == (0.5, 1.0)
        assert c.reason == "ragas: 1 of 2 retrieved excerpts useful to the answer: e-used"
    assert len(judge.plan(question.text, text, (used, other))) == 2


def test_context_figures_are_stored_shown_and_counted_before_the_calls(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    gold = {g.question_id: g.relevant for g in load_gold_retrieval()}
    with LoopbackServer() as server:
        _env(server, monkeypatch)
        assert main(["generate", "--prompt", "patient_answer@v1", "--limit", "2", "-q"]) == 0
        capsys.readouterr()
        assert main(ARGS) == 0
        evs, retrieved = _evaluations()
        k = sum(len(retrieved[ev.answer_id]) for ev in evs)
        assert _context_calls(server) == k > 0  # one per retrieved excerpt
        calls = server.calls
        assert main([*ARGS, "--rescore"]) == 0  # a rerun is served by the call cache
        assert server.calls == calls
    said = capsys.readouterr().out
    assert f"pre-flight context judging (gpt-4o-mini at {server.url}): {k} calls" in said
    assert len(evs) == 2
    for ev in evs:
        c, ids = ev.context, retrieved[ev.answer_id]
        assert c is not None and c.judge == "ragas-context:gpt-4o-mini"
        assert len(c.verdicts) == len(ids) and set(c.verdicts) <= {0, 1}
        assert c.precision == pytest.approx(average_precision(c.verdicts), abs=1e-4)
        assert c.reason.startswith(f"ragas: {sum(c.verdicts)} of {len(ids)} retrieved excerpts")
    with SQLiteStore("workbench.db") as store:
        by_answer = {a.id: a.question_id for a in store.answers()}
    for ev in evs:
        want = gold[by_answer[ev.answer_id]]
        assert ev.context is not None
        assert ev.context.id_precision == pytest.approx(id_precision(retrieved[ev.answer_id], want))
        assert ev.context.id_recall == pytest.approx(id_recall(retrieved[ev.answer_id], want))

    assert main(["report", "--out", str(tmp_path / "report")]) == 0
    rows = pd.read_csv(tmp_path / "report" / "evaluations.csv")
    ragas = rows[rows.judge == "ragas:gpt-4o-mini"]
    assert ragas.context_precision.notna().all() and ragas.context_id_recall.notna().all()
    as_json = json.loads((tmp_path / "report" / "evaluations.json").read_text())
    assert all("context_precision" in row for row in as_json)
    html = (tmp_path / "report" / "report.html").read_text().replace("<wbr>", "")
    section = html.split("context precision and recall</h3>")[1].split("</table>")[0]
    mean = sum(ev.context.precision for ev in evs if ev.context and ev.context.precision) / 2
    cells = '<td class="name">ragas-context:gpt-4o-mini</td><td class="num">2</td>'
    assert f'{cells}<td class="num">{mean:.3f}</td>' in section


def test_without_the_option_no_context_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    with LoopbackServer() as server:
        _env(server, monkeypatch)
        assert main(["generate", "--prompt", "patient_answer@v1", "--limit", "1", "-q"]) == 0
        assert main(["score", "--judge", "ragas", "-q"]) == 0
        assert _context_calls(server) == 0
    (ev,), _ = _evaluations()
    assert ev.context is None


def _breaking(bad: str) -> Any:
    def respond(request: dict[str, Any]) -> Reply:
        if CONTEXT_MARK in request["messages"][-1]["content"]:
            return Reply(bad)
        return smart_reply(request)

    return respond


@pytest.mark.parametrize(
    ("reply", "why"),
    [
        ('{"verdict": 1}', "not a ContextPrecisionOutput: reason: Field required"),
        ('{"reason": "useful", "verdict": 2}', "the judge's verdict is 2, not 0 or 1"),
        ("Yes, this context was useful.", "did not reply in JSON"),
    ],
)
def test_a_broken_reply_is_a_stored_value_not_a_crash(
    monkeypatch: pytest.MonkeyPatch, reply: str, why: str
) -> None:
    gold = {g.question_id: g.relevant for g in load_gold_retrieval()}
    with LoopbackServer(_breaking(reply)) as server:
        _env(server, monkeypatch)
        assert main(["generate", "--prompt", "patient_answer@v1", "--limit", "1", "-q"]) == 0
        assert main([*ARGS, "-q"]) == 0
    (ev,), retrieved = _evaluations()
    assert ev.faithfulness is not None  # the judge's own work is kept
    c = ev.context
    assert c is not None and c.precision is None and c.verdicts == ()
    assert c.reason.startswith("ragas context precision failed: ") and why in c.reason
    with SQLiteStore("workbench.db") as store:
        (answer,) = store.answers()
    want = gold[answer.question_id]
    assert c.id_recall == pytest.approx(id_recall(retrieved[answer.id], want))  # no LLM needed
