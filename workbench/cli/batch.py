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
from workbench.runs.choices import BACKENDS, JUDGES, LLMSettings
from workbench.runs.generate import Notes
from workbench.runs.generate import generate as runs_generate
from workbench.runs.generate import score as runs_score
from workbench.runs.options import GenerateOptions, ScoreOptions

__all__ = [
    "CallOptions",
    "GenerateOptions",
    "ScoreOptions",
    "add_batch_commands",
    "generate_options",
    "judge_settings",
    "score_options",
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


def generate_options(args: argparse.Namespace) -> GenerateOptions:
    """`workbench generate`'s arguments as the use case's options."""
    calls = CallOptions.from_args(args)
    llm = None
    if args.backend == "openai":
        llm = LLMSettings.from_env(
            model=args.model,
            base_url=args.base_url,
            max_tokens=args.max_tokens,
            **calls.overrides(),
        )
    return GenerateOptions(
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


def score_options(args: argparse.Namespace) -> ScoreOptions:
    """`workbench score`'s arguments as the use case's options."""
    calls = CallOptions.from_args(args)
    return ScoreOptions(
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
        repeat=args.repeat,
        ragas_relevancy=args.ragas_relevancy,
        ragas_context=args.ragas_context,
        safety_model=args.safety_model != "off",
    )


NOTES = Notes(say=print, warn=lambda line: print(line, file=sys.stderr))


def generate(o: GenerateOptions) -> int:
    """Answer the chosen questions under each prompt version; print each run's batch."""
    done = runs_generate(o, NOTES)
    for d in done:
        print_batch("generated", d.report, d.calls)
    return batch_status([d.report for d in done])


def score(o: ScoreOptions) -> int:
    """Judge what is not judged yet; print the batch and the summary."""
    result = runs_score(o, NOTES)
    print_batch("scored", result.batch.report, result.batch.calls)
    if result.safety_calls is not None:
        print(f"LLM safety judge: {result.safety_calls.describe()}")
    print_summary(result.frame)
    return batch_status([result.batch.report])


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
    g.set_defaults(func=lambda args: generate(generate_options(args)))

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
        default="on",
        help="the local safety model layer beside the rules (default on; "
        "WORKBENCH_SAFETY_MODEL=off also turns it off)",
    )
    s.add_argument("--run", action="append", help="only answers of these runs (repeatable)")
    s.add_argument("--rescore", action="store_true", help="score again what was scored")
    s.add_argument(
        "--stale", action="store_true", help="score again only what changed excerpts made stale"
    )
    s.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="K",
        help="ask an LLM judge K times per answer: each judgment kept, the mean scored, "
        "answers whose judgments disagree reported unstable (each repeat cached, so a rerun "
        "is free); the offline judge is deterministic and judges once",
    )
    s.add_argument(
        "--ragas-relevancy",
        action="store_true",
        help="with --judge ragas, also ragas' response relevancy: three short calls per "
        "answer and the endpoint's embeddings API (a failure is recorded, never a crash)",
    )
    s.add_argument(
        "--ragas-context",
        action="store_true",
        help="with --judge ragas, also ragas' context precision (one call per retrieved "
        "excerpt: was it useful to the answer) and its ID-based context precision and "
        "recall against the gold relevant excerpts (a failure is recorded, never a crash)",
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
    s.set_defaults(func=lambda args: score(score_options(args)))
