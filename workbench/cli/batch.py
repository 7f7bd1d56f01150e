"""`workbench generate` and `workbench score`, offline or against an LLM endpoint.

Against an endpoint (`--backend openai`, `--judge ragas`) both print a pre-flight estimate
(calls, what the cache serves, tokens, cost where known), refuse to start above
`--max-cost`, run the batch with bounded concurrency, and print the endpoint calls, cache
hits and misses, tokens and cost. The API key comes only from the environment: no option
takes it, so it never lands in a shell history, a log or the store. Both exit 1 when an
item failed (`workbench.cli.common.batch_status`), after keeping everything that finished.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from workbench.cli.common import (
    batch_status,
    data_options,
    print_batch,
    print_summary,
    quiet_option,
    workspace_of,
)
from workbench.data.datasets import select_questions
from workbench.errors import ConfigError
from workbench.generation.backends import BACKENDS, make_generator
from workbench.generation.retrieval import retriever_for
from workbench.llm.calls import CallStats
from workbench.llm.estimate import Estimate, check_budget
from workbench.llm.settings import LLMSettings
from workbench.models import Question
from workbench.reports.frame import evaluation_frame
from workbench.runs.batch import generate_batch, score_batch
from workbench.runs.plan import default_run_id, run_id_for
from workbench.runs.preflight import (
    PlansAnswers,
    PlansJudging,
    generation_preflight,
    judging_preflight,
    local_server_note,
    safety_judging_preflight,
)
from workbench.scoring.evaluate import warm_up
from workbench.scoring.judges import JUDGES, make_judge
from workbench.scoring.safety import safety_model_enabled, unknown_cancer_types
from workbench.workspace import Workspace

__all__ = [
    "CallOptions",
    "GenerateOptions",
    "ScoreOptions",
    "add_batch_commands",
    "judge_settings",
]


@dataclass(frozen=True, slots=True)
class CallOptions:
    """How LLM calls run: `--concurrency`, `--timeout`, `--retries`, `--max-cost`,
    `--no-cache`, `--free`."""

    concurrency: int | None = None
    timeout_s: float | None = None
    max_cost: float | None = None
    no_cache: bool = False
    retries: int | None = None
    free: bool = False

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> CallOptions:
        return cls(
            args.concurrency, args.timeout, args.max_cost, args.no_cache, args.retries, args.free
        )

    def overrides(self) -> dict[str, Any]:
        """The settings these options override (None: keep the environment's)."""
        return {
            "concurrency": self.concurrency,
            "timeout_s": self.timeout_s,
            "max_retries": self.retries,
            "use_cache": False if self.no_cache else None,
            "free": True if self.free else None,
        }


def judge_settings(
    args: argparse.Namespace,
    calls: CallOptions,
    *,
    model: str | None = None,
    base_url: str | None = None,
) -> LLMSettings:
    """The judge's settings: options over `WORKBENCH_JUDGE_*` over the generating ones."""
    return LLMSettings.from_env(
        judge=True,
        model=args.judge_model or model,
        base_url=args.judge_base_url or base_url,
        **calls.overrides(),
    )


@dataclass(frozen=True)
class GenerateOptions:
    """`workbench generate`, parsed."""

    workspace: Workspace
    prompts: tuple[str, ...]
    backend: str
    llm: LLMSettings | None
    cancer_types: tuple[str, ...]
    question_ids: tuple[str, ...]
    limit: int | None
    run_name: str | None
    max_cost: float | None
    progress: bool

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> GenerateOptions:
        calls = CallOptions.from_args(args)
        llm = None
        if args.backend == "openai":
            llm = LLMSettings.from_env(
                model=args.model,
                base_url=args.base_url,
                max_tokens=args.max_tokens,
                **calls.overrides(),
            )
        return cls(
            workspace=workspace_of(args),
            prompts=tuple(args.prompt or ()),
            backend=args.backend,
            llm=llm,
            cancer_types=tuple(args.cancer_type or ()),
            question_ids=tuple(args.question or ()),
            limit=args.limit,
            run_name=args.run,
            max_cost=calls.max_cost,
            progress=not args.quiet,
        )


@dataclass(frozen=True)
class ScoreOptions:
    """`workbench score`, parsed."""

    workspace: Workspace
    judge: str
    llm: LLMSettings | None
    safety_llm: LLMSettings | None  # `--safety-judge llm`: the LLM safety judge's endpoint
    run_ids: tuple[str, ...] | None
    rescore: bool
    stale: bool
    max_cost: float | None
    progress: bool
    judge_max_tokens: int | None = None
    safety_model: bool = True  # `--safety-model off`: the rules alone (and the LLM judge)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> ScoreOptions:
        calls = CallOptions.from_args(args)
        return cls(
            workspace=workspace_of(args),
            judge=args.judge,
            llm=judge_settings(args, calls) if args.judge == "ragas" else None,
            safety_llm=judge_settings(args, calls) if args.safety_judge == "llm" else None,
            run_ids=tuple(args.run) if args.run else None,
            rescore=args.rescore,
            stale=args.stale,
            max_cost=calls.max_cost,
            progress=not args.quiet,
            judge_max_tokens=args.judge_max_tokens,
            safety_model=safety_model_enabled()
            if args.safety_model is None
            else args.safety_model == "on",
        )


def _preflight(
    estimates: Sequence[Estimate], max_cost: float | None, settings: LLMSettings | None
) -> None:
    for e in estimates:
        print(e.describe())
    note = local_server_note(settings) if settings is not None else None
    if note and any(e.calls > e.cached for e in estimates):
        print(note)
    check_budget(estimates, max_cost)


def _warn_unknown_cancer_types(questions: Sequence[Question], ws: Workspace) -> None:
    """A warning (not an error: new cancer types are welcome) naming the known ones."""
    unknown = unknown_cancer_types(questions, ws.rules)
    if not unknown:
        return
    known = ", ".join(c.id for c in ws.rules.cancer_types)
    shown = ", ".join(f"{qid} ({kind!r})" for qid, kind in unknown[:10])
    more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
    print(
        f"workbench: warning: {ws.questions}: the safety rules ({ws.rules_file}) do not know the "
        f"cancer type of {shown}{more}; known: {known}, general. Their answers are made and "
        "scored, but the investigational-therapy rule can only go by the question's words",
        file=sys.stderr,
    )


def generate(o: GenerateOptions) -> int:
    """Answer the chosen questions under each prompt version; one run each."""
    ws, corpus = o.workspace, o.workspace.corpus
    keys = list(o.prompts) or sorted(corpus.prompts)
    missing = [k for k in keys if k not in corpus.prompts]
    if missing:
        raise ConfigError(f"--prompt: unknown {missing}; known: {sorted(corpus.prompts)}")
    questions = select_questions(
        corpus, cancer_types=o.cancer_types, ids=o.question_ids, limit=o.limit
    )
    _warn_unknown_cancer_types(questions, ws)
    generator = make_generator(
        o.backend, settings=o.llm, cache_path=ws.cache_path, prices=ws.prices
    )
    run_ids = {
        k: run_id_for(o.run_name, k, len(keys)) or default_run_id(k, generator) for k in keys
    }
    retriever = retriever_for(corpus.excerpts.values())
    llm = generator if isinstance(generator, PlansAnswers) else None
    with ws.open_store(create=True) as store:
        if llm is not None:
            plan = generation_preflight(store, corpus, llm, questions, run_ids, retriever=retriever)
            _preflight([plan], o.max_cost, llm.client.settings)
        reports = []
        for key in keys:
            if llm is not None:
                llm.client.stats = CallStats()  # each run's summary counts its own calls
            report = generate_batch(
                store,
                corpus,
                generator,
                key,
                questions,
                questions_source=str(ws.questions),
                run_id=run_ids[key],
                retriever=retriever,
                progress=o.progress,
            )
            print_batch("generated", report, llm.client.stats if llm else None)
            reports.append(report)
    return batch_status(reports)


def score(o: ScoreOptions) -> int:
    """Judge every answer not yet judged (or whose judging failed), with safety and
    readability; then print the summary."""
    ws, corpus = o.workspace, o.workspace.corpus
    judge = make_judge(
        o.judge,
        settings=o.llm,
        cache_path=ws.cache_path,
        prices=ws.prices,
        max_tokens=o.judge_max_tokens,
    )
    llm = judge if isinstance(judge, PlansJudging) else None
    safety = None
    if o.safety_llm is not None:
        from workbench.scoring.safety_llm import open_safety_judge  # imports the LLM path

        safety = open_safety_judge(o.safety_llm, ws.rules, cache_path=ws.cache_path)
    with ws.open_store() as store:
        plans = [
            judging_preflight(
                store, corpus, llm, run_ids=o.run_ids, rescore=o.rescore, stale=o.stale
            )
            for llm in ([llm] if llm is not None else [])
        ]
        if safety is not None:
            plans.append(
                safety_judging_preflight(
                    store,
                    corpus,
                    safety,
                    judge.name,
                    run_ids=o.run_ids,
                    rescore=o.rescore,
                    stale=o.stale,
                )
            )
        if plans:
            _preflight(plans, o.max_cost, llm.client.settings if llm is not None else None)
            # rules, the model layer and word lists load now, not while the first replies wait
            warm_up(ws.rules, safety_model=o.safety_model)
        report = score_batch(
            store,
            corpus,
            judge,
            run_ids=o.run_ids,
            rules=ws.rules,
            rescore=o.rescore,
            stale=o.stale,
            progress=o.progress,
            safety_judge=safety,
            safety_model=o.safety_model,
        )
        print_batch("scored", report, llm.client.stats if llm is not None else None)
        if safety is not None:
            print(f"LLM safety judge: {safety.client.stats.describe()}")
        print_summary(evaluation_frame(store, corpus))
    return batch_status([report])


def _call_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--concurrency", type=int, help="LLM calls in flight at once (default 8)")
    p.add_argument("--timeout", type=float, help="seconds to wait for one LLM call (default 60)")
    p.add_argument(
        "--retries",
        type=int,
        metavar="N",
        help="retries of a call after a timeout, a dropped connection, a 429 or a 5xx (default 4)",
    )
    p.add_argument(
        "--max-cost",
        type=float,
        metavar="USD",
        help="refuse to start if the pre-flight estimate is above this many US dollars",
    )
    p.add_argument(
        "--no-cache", action="store_true", help="call the endpoint even for cached requests"
    )
    p.add_argument(
        "--free",
        action="store_true",
        help="the endpoint costs nothing (a local server): its calls count $0 and --max-cost "
        "passes (else the model's price comes from prices.yaml in --datasets, or the repo's)",
    )


def judge_options(p: argparse.ArgumentParser) -> None:
    """`--judge-model` and `--judge-base-url`, for `--judge ragas`."""
    p.add_argument(
        "--judge-model", help="judge model (default: $WORKBENCH_JUDGE_MODEL, else $WORKBENCH_MODEL)"
    )
    p.add_argument(
        "--judge-base-url",
        help="judge endpoint (default: $WORKBENCH_JUDGE_BASE_URL, else $OPENAI_BASE_URL)",
    )


def add_batch_commands(sub: Any) -> None:
    """Add `generate` and `score` to the CLI's subcommands."""
    g = sub.add_parser("generate", help="answer questions under one or more prompt versions")
    data_options(g)
    g.add_argument(
        "--prompt",
        action="append",
        metavar="ID@vN",
        help="prompt version to run, e.g. patient_answer@v1 (repeatable; default all)",
    )
    g.add_argument("--backend", choices=BACKENDS, default="offline", help="answer generator")
    g.add_argument("--cancer-type", action="append", help="only these cancer types (repeatable)")
    g.add_argument("--question", action="append", metavar="ID", help="only these question ids")
    g.add_argument("--limit", type=int, help="at most N questions")
    g.add_argument("--run", help="run name (default: prompt.backend.model; reusing resumes)")
    g.add_argument("--model", help="model name (default: $WORKBENCH_MODEL)")
    g.add_argument(
        "--base-url", help="OpenAI-compatible endpoint (default: $OPENAI_BASE_URL, else OpenAI)"
    )
    g.add_argument(
        "--max-tokens",
        type=int,
        metavar="N",
        help="longest answer in tokens (default 1200); a longer one is cut off and flagged",
    )
    _call_options(g)
    quiet_option(g)
    g.set_defaults(func=lambda args: generate(GenerateOptions.from_args(args)))

    s = sub.add_parser("score", help="score answers: faithfulness, safety, readability")
    data_options(s)
    s.add_argument("--judge", choices=JUDGES, default="offline", help="faithfulness judge")
    s.add_argument(
        "--safety-judge",
        choices=("rules", "llm"),
        default="rules",
        help="safety: the rules alone (default), or an LLM judge beside them (judge endpoint)",
    )
    s.add_argument(
        "--safety-model",
        choices=("on", "off"),
        help="the local safety model layer beside the rules (default: on, or "
        "WORKBENCH_SAFETY_MODEL)",
    )
    s.add_argument("--run", action="append", help="only answers of these runs (repeatable)")
    s.add_argument("--rescore", action="store_true", help="score again what was scored")
    s.add_argument(
        "--stale", action="store_true", help="score again only what changed excerpts made stale"
    )
    judge_options(s)
    s.add_argument(
        "--judge-max-tokens",
        type=int,
        metavar="N",
        help="longest judge reply in tokens (default ragas' 1024; a longer one is a judge failure)",
    )
    _call_options(s)
    quiet_option(s)
    s.set_defaults(func=lambda args: score(ScoreOptions.from_args(args)))
