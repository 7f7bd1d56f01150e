"""`workbench gate`: check a run's scores against thresholds, for CI.

Thresholds come from `--config FILE` (YAML, see `workbench.reports.gate`) with options
over it. Prints a short pass/fail table; exits 0 when every check holds, 1 when one
misses, 2 on bad input (an unknown run, judge, option or file field).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.cli.common import data_options, workspace_of
from workbench.errors import ConfigError
from workbench.reports.gate import GateSpec, check_gate, load_gate_spec
from workbench.workspace import Workspace

__all__ = ["GateOptions", "add_gate_command"]

# option dest -> GateSpec field, for the options that override the file
_OVERRIDES = (
    "judge",
    "min_faithfulness",
    "min_faithfulness_low",
    "max_fail_findings",
    "max_unsupported_share",
    "min_relevance",
    "max_unstable",
    "baseline",
    "max_drop",
)


@dataclass(frozen=True)
class GateOptions:
    """`workbench gate`, parsed: the workspace and the thresholds."""

    workspace: Workspace
    spec: GateSpec

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> GateOptions:
        base = load_gate_spec(args.config) if args.config is not None else GateSpec()
        given: dict[str, Any] = {k: getattr(args, k) for k in _OVERRIDES}
        given = {k: v for k, v in given.items() if v is not None}
        if args.run:
            given["runs"] = tuple(args.run)
        if args.allow_fail_findings:
            given["max_fail_findings"] = None
        spec = GateSpec.model_validate({**base.model_dump(), **given})
        return cls(workspace_of(args), spec)


def gate(o: GateOptions) -> int:
    """Print the checks; 0 when all hold, 1 when one misses."""
    where = o.workspace.store
    if where.is_file and not where.path.is_file():
        raise ConfigError(f"{o.workspace.store}: no store there; `workbench demo` makes one")
    with o.workspace.open_store(read_only=True, check_pages=True) as store:
        result = check_gate(store, o.workspace.corpus, o.spec)
    print(result.table())
    return 0 if result.passed else 1


def _share(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not a share between 0 and 1")
    return value


def add_gate_command(sub: Any) -> None:
    """Add `gate` to the CLI's subcommands."""
    g = sub.add_parser(
        "gate",
        help="check scores against thresholds; exit 1 when one misses (for CI)",
        description="Check the generated answers of the chosen runs against thresholds. "
        "Exit 0: every check held; 1: a check missed, or had no evidence (no answer "
        "scored, an answer not checked, nothing to check); 2: bad input. With no threshold "
        "given, the one hard line holds: no answer with a fail-severity safety finding.",
    )
    data_options(g)
    g.add_argument("--config", type=Path, metavar="FILE", help="thresholds from a YAML file")
    g.add_argument(
        "--run",
        action="append",
        metavar="RUN",
        help="run id or prompt version to gate (repeatable; default every run)",
    )
    g.add_argument("--judge", help="whose scores (default: the only judge that scored them)")
    g.add_argument("--min-faithfulness", type=_share, metavar="X", help="minimum mean")
    g.add_argument(
        "--min-faithfulness-low",
        type=_share,
        metavar="X",
        help="minimum lower end of the mean's 95%% bootstrap interval",
    )
    g.add_argument(
        "--max-fail-findings",
        type=int,
        metavar="N",
        help="most answers with a fail-severity safety finding (default 0)",
    )
    g.add_argument(
        "--allow-fail-findings", action="store_true", help="do not check fail-severity findings"
    )
    g.add_argument(
        "--max-unsupported-share",
        type=_share,
        metavar="X",
        help="most share of scored answers with an unsupported claim",
    )
    g.add_argument(
        "--min-relevance",
        type=_share,
        metavar="X",
        help="minimum mean relevance (does the answer answer the question, 0..1)",
    )
    g.add_argument(
        "--max-unstable",
        type=int,
        metavar="N",
        help="most answers whose repeated judgments disagree (`score --repeat`); an LLM "
        "judge's answers judged once fail it, an offline judge is deterministic",
    )
    g.add_argument(
        "--baseline",
        metavar="RUN",
        help="fail on a significant faithfulness drop against this run (paired bootstrap)",
    )
    g.add_argument(
        "--max-drop",
        type=_share,
        metavar="D",
        help="a drop counts when the whole 95%% interval lies below -D (default 0)",
    )
    g.set_defaults(func=lambda args: gate(GateOptions.from_args(args)))
