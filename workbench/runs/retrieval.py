"""The use case "did retrieval find the right excerpts": retrievers measured on gold.

`evaluate_retrieval` loads the workspace's questions and excerpts (the demo's, or an
imported corpus) and the gold relevant excerpts (`datasets/gold/retrieval/`, or a file
the user names), checks that the gold names only questions and excerpts the corpus has,
and measures each retriever at `k`. Faces print or show the result.

Gold file format (JSONL, one line per question; see docs/relevance-and-retrieval.md):

    {"question_id": "q-lung-06", "relevant": ["lung-ov-002", "lung-prog-001"], "note": ""}
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench.data.datasets import embedded_datasets_dir, load_gold_retrieval
from workbench.errors import ConfigError
from workbench.generation.retrieval_measure import (
    METRICS,
    QuestionScore,
    check_gold,
    measure_retriever,
    summarise,
)
from workbench.generation.retrievers import RETRIEVERS, make_retriever
from workbench.workspace import Workspace

__all__ = [
    "DEFAULT_RETRIEVER",
    "METRICS",
    "RetrievalEvaluation",
    "evaluate_retrieval",
    "gold_retrieval_path",
]

DEFAULT_RETRIEVER = "bm25"  # what generation uses; chosen by the figures in the docs


@dataclass(frozen=True, slots=True)
class RetrievalEvaluation:
    """Each retriever's figures at `k`: per question and per cancer type with `overall`."""

    k: int
    gold: Path
    excerpts: int
    per_question: dict[str, list[QuestionScore]]
    summary: dict[str, dict[str, dict[str, float]]]  # retriever -> group -> metric -> value

    def rows(self) -> pd.DataFrame:
        """One row per (retriever, question): the top k, the relevant ids and the figures."""
        return pd.DataFrame(
            [
                {
                    "retriever": s.retriever,
                    "question_id": s.question_id,
                    "cancer_type": s.cancer_type,
                    "found": ";".join(s.found),
                    "relevant": ";".join(s.relevant),
                    **{m: getattr(s, m) for m in METRICS},
                }
                for scores in self.per_question.values()
                for s in scores
            ]
        )

    def best(self, metric: str = "ndcg") -> str:
        """The retriever with the highest overall `metric` (the first listed on a tie)."""
        return max(self.summary, key=lambda r: self.summary[r]["overall"][metric])


def gold_retrieval_path(workspace: Workspace) -> Path:
    """The workspace's gold relevant excerpts: its data set folder's, else the embedded."""
    own = workspace.datasets / "gold" / "retrieval"
    return own if own.exists() else embedded_datasets_dir() / "gold" / "retrieval"


def evaluate_retrieval(
    workspace: Workspace,
    *,
    k: int = 6,
    retrievers: Sequence[str] = tuple(RETRIEVERS),
    gold: Path | None = None,
) -> RetrievalEvaluation:
    """Measure `retrievers` at `k` on the gold; bad gold or names are one clear error."""
    if k < 1:
        raise ConfigError(f"--k must be at least 1, not {k}")
    unknown = [r for r in retrievers if r not in RETRIEVERS]
    if unknown:
        raise ConfigError(f"unknown retriever(s) {unknown}; known: {', '.join(RETRIEVERS)}")
    where = gold or gold_retrieval_path(workspace)
    rows = load_gold_retrieval(where)
    corpus = workspace.corpus
    check_gold(rows, corpus, str(where))
    per_question = {
        name: measure_retriever(
            name, make_retriever(name, corpus.excerpts.values()), corpus, rows, k=k
        )
        for name in retrievers
    }
    return RetrievalEvaluation(
        k,
        where,
        len(corpus.excerpts),
        per_question,
        {name: summarise(scores) for name, scores in per_question.items()},
    )
