"""The command line: `workbench generate | score | report | export | decide | verify |
agreement | demo`. Review commands live in `workbench.cli_review`.

Each command parses its options, calls one job in `workbench.jobs`, and prints what it
did. A `WorkbenchError` prints as one clear line and exits 2; anything else is a bug and
shows its traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from workbench.cli_common import corpus_from_args, data_options
from workbench.cli_compare import add_run_commands
from workbench.cli_llm import (
    add_generation_options,
    add_judge_options,
    generate_with_llm,
    judge_named,
    score_with_llm,
)
from workbench.cli_review import add_review_commands, export_approved
from workbench.datasets import default_datasets_dir
from workbench.errors import WorkbenchError
from workbench.export import write_rows
from workbench.jobs import (
    BACKENDS,
    JUDGES,
    calibrate,
    make_generator,
    make_judge,
    rules_for,
    run_demo,
    select_questions,
    write_report,
)
from workbench.pipeline import BatchReport, generate_batch, score_batch
from workbench.reports.frame import evaluation_frame
from workbench.reports.summary import summary_frame
from workbench.store import Store

__all__ = ["main"]


def _print_batch(verb: str, report: BatchReport) -> None:
    where = f" in run {report.run_id}" if report.run_id else ""
    print(f"{verb} {report.done}, already done {report.skipped}{where}")
    for item, why in report.failed:
        print(f"  failed {item}: {why}", file=sys.stderr)


def _print_summary(frame: pd.DataFrame) -> None:
    summary = summary_frame(frame)
    if summary.empty:
        print("no evaluations in the store yet")
        return
    cols = [
        "prompt",
        "backend",
        "judge",
        "answers",
        "faithfulness",
        "any_unsupported",
        "no_claims",
        "judge_failed",
        "safety_failed",
        "fk_grade",
        "smog",
    ]
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(summary[cols].to_string(index=False, float_format=lambda v: f"{v:.2f}"))


def cmd_generate(args: argparse.Namespace) -> int:
    corpus = corpus_from_args(args)
    keys = args.prompt or sorted(corpus.prompts)
    missing = [k for k in keys if k not in corpus.prompts]
    if missing:
        raise WorkbenchError(f"--prompt: unknown {missing}; known: {sorted(corpus.prompts)}")
    questions = select_questions(
        corpus, cancer_types=args.cancer_type or (), ids=args.question or (), limit=args.limit
    )
    source = str(args.questions or (args.datasets or default_datasets_dir()) / "questions")
    if args.backend == "openai":
        return generate_with_llm(args, corpus, keys, questions, source)
    generator = make_generator(args.backend)
    with Store(args.store) as store:
        for key in keys:
            run_id = f"{args.run}.{key}" if args.run and len(keys) > 1 else args.run
            _print_batch(
                "generated",
                generate_batch(
                    store,
                    corpus,
                    generator,
                    key,
                    questions,
                    questions_source=source,
                    run_id=run_id,
                    progress=not args.quiet,
                ),
            )
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    corpus = corpus_from_args(args)
    if args.judge == "ragas":
        score_with_llm(args, corpus)
        with Store(args.store) as store:
            _print_summary(evaluation_frame(store, corpus))
        return 0
    with Store(args.store) as store:
        report = score_batch(
            store,
            corpus,
            make_judge(args.judge),
            run_ids=args.run,
            rules=rules_for(args.datasets),
            rescore=args.rescore,
            stale=args.stale,
            progress=not args.quiet,
        )
        _print_batch("scored", report)
        _print_summary(evaluation_frame(store, corpus))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    corpus = corpus_from_args(args)
    calibration = (
        None if args.no_calibration else calibrate(corpus, judge_named(args), args.datasets)
    )
    with Store(args.store) as store:
        paths, frame = write_report(
            store,
            corpus,
            args.out,
            title=args.title,
            calibration=calibration,
            datasets=args.datasets,
        )
    _print_summary(frame)
    print(f"report: {paths.html}\ncsv:    {paths.csv}\njson:   {paths.json}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    corpus = corpus_from_args(args)
    if args.approved:
        return export_approved(args.store, corpus, args.out)
    with Store(args.store) as store:
        frame = evaluation_frame(store, corpus)
    if args.limit is not None:
        frame = frame.head(args.limit)
    csv, js = write_rows(args.out, frame)
    print(f"csv:  {csv}\njson: {js}\n{len(frame)} rows")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    result = run_demo(
        args.out,
        store_path=args.store,
        limit=args.limit,
        datasets=args.datasets,
        progress=not args.quiet,
    )
    for report in result.generation:
        _print_batch("generated", report)
    _print_batch("scored", result.scoring)
    j, s = result.calibration.judge, result.calibration.safety
    print(
        f"\noffline judge on {j.n} gold claims: balanced accuracy {j.balanced_accuracy:.3f}"
        f" (three-way accuracy {j.accuracy_3way:.3f})"
    )
    print(
        f"safety checks on {s.n_answers} gold answers: precision {s.precision:.3f}, "
        f"recall {s.recall:.3f}\n"
    )
    _print_summary(pd.read_csv(result.paths.csv))
    print(
        f"\nreport: {result.paths.html}\ncsv:    {result.paths.csv}\n"
        f"store:  {result.store_path}\nNothing was approved: approval is a reviewer's call."
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command."""
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Generate, score and report plain-language answers to cancer patients' "
        "questions. Runs offline by default.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

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
    add_generation_options(g)
    g.set_defaults(func=cmd_generate)

    s = sub.add_parser("score", help="score answers: faithfulness, safety, readability")
    data_options(s)
    s.add_argument("--judge", choices=JUDGES, default="offline", help="faithfulness judge")
    s.add_argument("--run", action="append", help="only answers of these runs (repeatable)")
    s.add_argument("--rescore", action="store_true", help="score again what was scored")
    s.add_argument(
        "--stale", action="store_true", help="score again only what changed excerpts made stale"
    )
    add_judge_options(s)
    s.set_defaults(func=cmd_score)

    r = sub.add_parser("report", help="write the HTML report with CSV and JSON")
    data_options(r)
    r.add_argument("--out", type=Path, default=Path("reports/latest"), help="output folder")
    r.add_argument("--title", default="Answer evaluation report")
    r.add_argument(
        "--judge", choices=JUDGES, default="offline", help="judge to measure on the gold claims"
    )
    r.add_argument("--no-calibration", action="store_true", help="skip the gold-set measures")
    add_judge_options(r, run_options=False)
    r.set_defaults(func=cmd_report)

    e = sub.add_parser("export", help="export evaluations, or approved answers, for sharing")
    data_options(e)
    e.add_argument(
        "--approved",
        action="store_true",
        help="export the latest approved answer per question (JSONL, CSV, one HTML page each)",
    )
    e.add_argument("--out", type=Path, default=Path("reports/export"), help="output folder")
    e.add_argument("--limit", type=int, help="at most N rows")
    e.set_defaults(func=cmd_export)

    add_review_commands(sub)
    add_run_commands(sub)

    d = sub.add_parser("demo", help="the whole job offline on the embedded data sets")
    d.add_argument("--out", type=Path, default=Path("reports/demo"), help="output folder")
    d.add_argument("--store", type=Path, help="store (default: OUT/demo.db, made anew)")
    d.add_argument("--datasets", type=Path, help="data set folder")
    d.add_argument("--limit", type=int, help="at most N questions")
    d.set_defaults(func=cmd_demo)

    for p in (g, s, r, e, d):
        p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except WorkbenchError as exc:
        print(f"workbench: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `workbench ... | head`: the reader left, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
