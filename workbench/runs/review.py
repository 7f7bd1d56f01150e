"""The review desk as the panel opens it: the store checked before the first decision,
the judge that re-scores an edit, the corpus whose excerpt versions bind each decision."""

from __future__ import annotations

from workbench.data.datasets import Corpus
from workbench.review.desk import ReviewDesk
from workbench.runs.guards import open_for_writing
from workbench.scoring.judges import make_judge
from workbench.scoring.staleness import stale_reasons
from workbench.workspace import Workspace

__all__ = ["open_desk", "stale_reasons"]


def open_desk(ws: Workspace, *, judge: str = "offline", corpus: Corpus | None = None) -> ReviewDesk:
    """The desk over the workspace's store (its pages checked first), with `judge`."""
    return ReviewDesk(
        open_for_writing(ws), corpus or ws.corpus, judge=make_judge(judge), rules=ws.rules
    )
