"""The pre-flight estimate: calls, what the cache serves, tokens, cost, and the budget."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SEED, make_excerpt
from tests.llm.conftest import make_client
from tests.loopback import LoopbackServer
from workbench.data.datasets import Corpus
from workbench.errors import BudgetError
from workbench.generation.openai_backend import OpenAIBackend
from workbench.llm.estimate import Estimate, check_budget, estimate
from workbench.scoring.ragas_judge import RagasJudge

EXCERPTS = [make_excerpt("cart-1", "CAR T-cell therapy uses a patient's own T cells.")]


def test_generation_estimate_counts_cache_hits_tokens_and_an_upper_bound_cost(
    server: LoopbackServer, corpus: Corpus, tmp_path: Path
) -> None:
    prompt = corpus.prompts["patient_answer@v1"]
    backend = OpenAIBackend(make_client(server, tmp_path))
    before = estimate("generation", backend.plan(SEED, EXCERPTS, prompt), backend.client)
    assert (before.calls, before.cached, before.completion_tokens) == (1, 0, 1200)
    assert before.prompt_tokens > 100 and before.cost_usd is not None
    assert before.cost_usd == pytest.approx((before.prompt_tokens * 0.15 + 1200 * 0.6) / 1e6)
    backend.generate(SEED, EXCERPTS, prompt)
    after = estimate("generation", backend.plan(SEED, EXCERPTS, prompt), backend.client)
    assert (after.calls, after.cached, after.prompt_tokens, after.cost_usd) == (1, 1, 0, 0.0)


def test_judging_estimate_knows_the_second_call_once_the_first_is_cached(
    server: LoopbackServer, tmp_path: Path
) -> None:
    answer = "CAR T-cell therapy uses a patient's own T cells [cart-1]."
    judge = RagasJudge(make_client(server, tmp_path))
    first = estimate("judging", judge.plan(answer, EXCERPTS), judge.client)
    assert (first.calls, first.cached) == (2, 0)
    judge.judge(answer, EXCERPTS)
    again = estimate("judging", judge.plan(answer, EXCERPTS), judge.client)
    assert (again.calls, again.cached, again.cost_usd) == (2, 2, 0.0)


def test_the_budget_refuses_above_max_cost_or_an_unknown_cost() -> None:
    known = Estimate("generation", "gpt-4o-mini", "e", 10, 0, 1000, 1000, 0.02)
    unknown = Estimate("judging", "llama3.1:8b", "e", 10, 0, 1000, 1000, None)
    check_budget([known], 0.05)
    check_budget([known, unknown], None)
    with pytest.raises(BudgetError, match=r"up to \$0.0200, above --max-cost 0.01"):
        check_budget([known], 0.01)
    with pytest.raises(BudgetError, match=r"llama3\.1:8b is unknown"):
        check_budget([known, unknown], 1.0)
