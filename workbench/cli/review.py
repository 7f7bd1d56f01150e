"""Review commands: `workbench review` (in `workbench.cli.review_server`), `decide` and
`agreement` (`verify` and `backup` are in `workbench.cli.records`; `export --approved` in
`workbench.cli.reporting`)."""

from __future__ import annotations

import argparse
from typing import Any

from workbench.cli.common import data_options, store_option, store_workspace, workspace_of
from workbench.cli.review_server import add_review_server
from workbench.models import Decision
from workbench.review.agreement import agreement
from workbench.review.decisions import current_account, ratings
from workbench.runs import records
from workbench.runs.options import DecideOptions

__all__ = ["add_review_commands"]


def cmd_decide(args: argparse.Namespace) -> int:
    if args.approve:
        decision = Decision.APPROVE
    else:
        decision = Decision.REJECT if args.reject else Decision.NEEDS_EDIT
    d = records.decide(
        DecideOptions(
            workspace_of(args),
            args.answer_id,
            decision,
            reviewer=args.reviewer or current_account(),
            reason=args.reason or "",
            override_safety=args.override_safety,
        )
    )
    overriding = (
        f", overriding the failed safety rule(s) {', '.join(d.overrides)}: {d.reason}"
        if d.overrides
        else ""
    )
    print(
        f"recorded {d.id}: {d.decision.value} of {d.answer_id} by {d.reviewer} "
        f"({d.account}) at {d.created_at.isoformat()}: {d.meaning}{overriding}"
    )
    return 0


def cmd_agreement(args: argparse.Namespace) -> int:
    with store_workspace(args).open_store(read_only=True) as store:
        results = agreement(ratings(store))
    if not results:
        print("no review decisions yet")
        return 0
    for a in results:
        kappa = "undefined" if a.kappa is None else f"{a.kappa:.3f}"
        print(
            f"{a.group or '(no question set)'}: {a.method or '-'} kappa {kappa} over "
            f"{a.items} answers, {a.raters} reviewers{'; ' + a.note if a.note else ''}"
        )
        for item in a.disagreements:
            print(f"  disagreed on {item}")
    return 0


def add_review_commands(sub: Any) -> None:
    """Add `review`, `decide` and `agreement` to the CLI's subcommands."""
    add_review_server(sub)

    c = sub.add_parser("decide", help="record a review decision on one answer version")
    c.add_argument("answer_id", metavar="ANSWER_ID")
    which = c.add_mutually_exclusive_group(required=True)
    which.add_argument("--approve", action="store_true", help="approve for patient use")
    which.add_argument("--reject", action="store_true", help="reject (needs --reason)")
    which.add_argument(
        "--needs-edit", action="store_true", help="return for editing (needs --reason)"
    )
    c.add_argument(
        "--override-safety",
        action="store_true",
        help="approve although the answer fails a fail-severity safety rule (needs --reason; "
        "the rules overridden are recorded)",
    )
    c.add_argument(
        "--reason", help="why; required for --reject, --needs-edit and --override-safety"
    )
    c.add_argument("--reviewer", help="your name (default: the logged-in account)")
    data_options(c)  # the excerpts the answer cites: their versions are bound to the decision
    c.set_defaults(func=cmd_decide)

    g = sub.add_parser("agreement", help="agreement between reviewers (Cohen's or Fleiss' kappa)")
    store_option(g)
    g.set_defaults(func=cmd_agreement)
