"""The command line's LLM options, pre-flight and call summary (`--backend openai`,
`--judge ragas`).

`generate --backend openai` and `score --judge ragas` print a pre-flight estimate (calls,
what the cache serves, tokens, cost where known), refuse to start above `--max-cost`,
run the batch with bounded concurrency, and print the endpoint calls, cache hits and
misses, tokens and cost. The API key comes only from the environment: no option takes
it, so it never lands in a shell history, a log or the store.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from workbench.backends.openai_backend import OpenAIBackend
from workbench.datasets import Corpus
from workbench.errors import ConfigError
from workbench.jobs import make_generator, make_judge, rules_for
from workbench.llm.calls import CallStats, LLMClient
from workbench.llm.estimate import Estimate, check_budget
from workbench.llm.settings import LLMSettings
from workbench.models import Question
from workbench.pipeline import (
    BatchReport,
    default_run_id,
)
from workbench.pipeline_async import agenerate_batch, ascore_batch, run_batch
from workbench.preflight import generation_preflight, judging_preflight
from workbench.retrieval import BM25Retriever
from workbench.scoring.base import Judge
from workbench.scoring.evaluate import warm_up
from workbench.store import Store

__all__ = [
    "add_generation_options",
    "add_judge_options",
    "generate_with_llm",
    "judge_named",
    "score_with_llm",
]


def _run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--concurrency", type=int, help="LLM calls in flight at once (default 8)")
    p.add_argument("--timeout", type=float, help="seconds to wait for one LLM call (default 60)")
    p.add_argument(
        "--max-cost",
        type=float,
        metavar="USD",
        help="refuse to start if the pre-flight estimate is above this many US dollars",
    )
    p.add_argument(
        "--no-cache", action="store_true", help="call the endpoint even for cached requests"
    )


def add_generation_options(p: argparse.ArgumentParser) -> None:
    """`--model`, `--base-url` and the run options, for `generate --backend openai`."""
    p.add_argument("--model", help="model name (default: $WORKBENCH_MODEL)")
    p.add_argument(
        "--base-url", help="OpenAI-compatible endpoint (default: $OPENAI_BASE_URL, else OpenAI)"
    )
    _run_options(p)


def add_judge_options(p: argparse.ArgumentParser, *, run_options: bool = True) -> None:
    """`--judge-model`, `--judge-base-url` (and the run options), for `--judge ragas`."""
    p.add_argument(
        "--judge-model", help="judge model (default: $WORKBENCH_JUDGE_MODEL, else --model's)"
    )
    p.add_argument(
        "--judge-base-url",
        help="judge endpoint (default: $WORKBENCH_JUDGE_BASE_URL, else $OPENAI_BASE_URL)",
    )
    if run_options:
        _run_options(p)


def _common(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "concurrency": getattr(args, "concurrency", None),
        "timeout_s": getattr(args, "timeout", None),
        "use_cache": False if getattr(args, "no_cache", False) else None,
    }


def generation_settings(args: argparse.Namespace) -> LLMSettings:
    """The generating model's settings: options over environment variables."""
    return LLMSettings.from_env(model=args.model, base_url=args.base_url, **_common(args))


def judge_settings(args: argparse.Namespace) -> LLMSettings:
    """The judge's settings: options over `WORKBENCH_JUDGE_*` over the generating ones."""
    return LLMSettings.from_env(
        judge=True,
        model=args.judge_model or getattr(args, "model", None),
        base_url=args.judge_base_url or getattr(args, "base_url", None),
        **_common(args),
    )


def judge_named(args: argparse.Namespace) -> Judge:
    """The judge `--judge` names, with the judge options for `ragas`."""
    if args.judge == "ragas":
        return make_judge("ragas", settings=judge_settings(args), store_path=args.store)
    return make_judge(args.judge)


def _preflight(estimates: Sequence[Estimate], max_cost: float | None) -> None:
    for e in estimates:
        print(e.describe())
    check_budget(estimates, max_cost)


def _print_batch(verb: str, report: BatchReport, client: LLMClient) -> None:
    where = f" in run {report.run_id}" if report.run_id else ""
    print(f"{verb} {report.done}, already done {report.skipped}{where}")
    for item, why in report.failed:
        print(f"  failed {item}: {why}", file=sys.stderr)
    print(client.stats.describe())


def generate_with_llm(
    args: argparse.Namespace,
    corpus: Corpus,
    keys: Sequence[str],
    questions: Sequence[Question],
    source: str,
) -> int:
    """`generate --backend openai`: pre-flight, budget check, concurrent batches."""
    store_path: Path = args.store
    backend = make_generator("openai", settings=generation_settings(args), store_path=store_path)
    if not isinstance(backend, OpenAIBackend):  # pragma: no cover - make_generator's contract
        raise ConfigError("the openai backend could not be built")
    retriever = BM25Retriever(corpus.excerpts.values())
    run_ids = {
        k: (f"{args.run}.{k}" if args.run and len(keys) > 1 else args.run)
        or default_run_id(k, backend)
        for k in keys
    }
    with Store(store_path) as store:
        _preflight(
            [generation_preflight(store, corpus, backend, questions, run_ids, retriever=retriever)],
            args.max_cost,
        )
        for key in keys:
            backend.client.stats = CallStats()  # each run's summary counts its own calls
            report = run_batch(
                agenerate_batch(
                    store,
                    corpus,
                    backend,
                    key,
                    questions,
                    questions_source=source,
                    run_id=run_ids[key],
                    retriever=retriever,
                    progress=not args.quiet,
                )
            )
            _print_batch("generated", report, backend.client)
    return 0


def score_with_llm(args: argparse.Namespace, corpus: Corpus) -> int:
    """`score --judge ragas`: pre-flight, budget check, a concurrent scoring batch."""
    from workbench.scoring.ragas_judge import RagasJudge

    judge = judge_named(args)
    if not isinstance(judge, RagasJudge):  # pragma: no cover - make_judge's contract
        raise ConfigError("the ragas judge could not be built")
    with Store(args.store) as store:
        plan = judging_preflight(
            store, corpus, judge, run_ids=args.run, rescore=args.rescore, stale=args.stale
        )
        _preflight([plan], args.max_cost)
        rules = rules_for(args.datasets)
        warm_up(rules)  # rules and word lists load now, not while the first replies wait
        report = run_batch(
            ascore_batch(
                store,
                corpus,
                judge,
                run_ids=args.run,
                rules=rules,
                rescore=args.rescore,
                stale=args.stale,
                progress=not args.quiet,
            )
        )
        _print_batch("scored", report, judge.client)
    return 0
