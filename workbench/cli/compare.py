"""Run commands: `workbench runs` lists runs; `workbench compare RUN_A RUN_B` pairs two."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.cli.common import data_options, store_option, store_workspace, workspace_of
from workbench.reports.compare import compare_runs, resolve_run
from workbench.reports.export import write_rows

__all__ = ["add_run_commands"]


def cmd_runs(args: argparse.Namespace) -> int:
    with store_workspace(args).open_store(read_only=True, check_pages=True) as store:
        runs = store.runs()
        counts = pd.Series([a.run_id for a in store.answers()]).value_counts()
    if not runs:
        print("no runs yet: `workbench generate` makes one")
    for r in runs:
        print(
            f"{r.id}  prompt {r.prompt_key}, {r.backend}/{r.model}, "
            f"{int(counts.get(r.id, 0))} answers, started {r.created_at:%Y-%m-%d %H:%M} UTC"
        )
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    ws = workspace_of(args)
    with ws.open_store(read_only=True, check_pages=True) as store:
        runs, where = store.runs(), str(store.location)
        run_a = resolve_run(runs, args.run_a, where=where)
        run_b = resolve_run(runs, args.run_b, where=where)
        c = compare_runs(store, ws.corpus, run_a, run_b, judge=args.judge)
    print(f"{c.run_b} against {c.run_a} on {len(c.rows)} shared questions (judge {c.judge}):")
    print(
        f"  faithfulness difference (B - A): {c.faithfulness}  [95% paired bootstrap, "
        f"{c.faithfulness.n} questions scored in both]"
    )
    print(f"  B wins {c.outcome.wins}, loses {c.outcome.losses}, ties {c.outcome.ties}")
    print(f"  reading grade difference: {c.grade}")
    print(
        f"  relevance difference (B - A): {c.relevance}  [{c.relevance.n} questions judged in both]"
    )
    changed = c.rule_changes[(c.rule_changes["started"] > 0) | (c.rule_changes["stopped"] > 0)]
    for r in changed.itertuples():
        print(f"  rule {r.rule}: started on {r.started}, stopped on {r.stopped} questions")
    print("  moved most:")
    for r in c.rows.head(args.top).itertuples():
        print(
            f"    {r.question_id}: faithfulness {_value(r.faithfulness_a)} -> "
            f"{_value(r.faithfulness_b)}, grade {_value(r.fk_grade_a, 1)} -> "
            f"{_value(r.fk_grade_b, 1)}, relevance {_value(r.relevance_a)} -> "
            f"{_value(r.relevance_b)}  {r.question}"
        )
    csv, js = write_rows(args.out, c.rows, "comparison")
    print(f"rows: {csv}, {js}")
    return 0


def _value(x: object, digits: int = 2) -> str:
    """A score as printed: "not scored" where there is none (never "None" or "nan")."""
    if not isinstance(x, int | float) or math.isnan(x):
        return "not scored"
    return f"{x:.{digits}f}"


def add_run_commands(sub: Any) -> None:
    """Add `runs` and `compare` to the CLI's subcommands."""
    r = sub.add_parser("runs", help="list the runs in the store")
    store_option(r)
    r.set_defaults(func=cmd_runs)

    c = sub.add_parser("compare", help="compare two runs on their shared questions")
    data_options(c)
    c.add_argument("run_a", metavar="RUN_A", help="run id, or a prompt version one run used")
    c.add_argument("run_b", metavar="RUN_B", help="run id, or a prompt version one run used")
    c.add_argument(
        "--judge", help="whose scores to compare (default: the only judge that scored them)"
    )
    c.add_argument("--top", type=int, default=10, help="how many movers to list")
    c.add_argument("--out", type=Path, default=Path("reports/compare"), help="output folder")
    c.set_defaults(func=cmd_compare)
