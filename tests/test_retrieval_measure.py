"""Retrieval you can measure: the figures, the gold file, and `workbench retrieval`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from workbench.cli.main import build_parser, main
from workbench.data.datasets import load_corpus, load_gold_retrieval
from workbench.errors import DatasetError
from workbench.generation.retrieval_measure import check_gold, ranking_scores


def test_ranking_figures_by_hand() -> None:
    got = ranking_scores(["x", "a", "y", "b"], ["a", "b", "c"], 4)
    assert got["recall"] == pytest.approx(2 / 3)
    assert got["precision"] == pytest.approx(2 / 4)
    assert got["mrr"] == pytest.approx(1 / 2)
    dcg = 1 / 1.584962500721156 + 1 / 2.321928094887362  # ranks 2 and 4
    ideal = 1 + 1 / 1.584962500721156 + 1 / 2  # three relevant in the top three
    assert got["ndcg"] == pytest.approx(dcg / ideal)
    assert ranking_scores(["x", "y"], ["a"], 2) == {
        "recall": 0.0,
        "precision": 0.0,
        "mrr": 0.0,
        "ndcg": 0.0,
    }
    assert ranking_scores(["a", "b"], ["a", "b"], 2)["ndcg"] == pytest.approx(1.0)


def test_every_demo_question_has_gold_excerpts_the_corpus_holds() -> None:
    corpus, gold = load_corpus(), load_gold_retrieval()
    assert {g.question_id for g in gold} == {q.id for q in corpus.questions}
    check_gold(gold, corpus, "gold")


def test_gold_naming_a_missing_excerpt_or_a_question_twice_is_one_clear_error(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "gold.jsonl"
    bad.write_text(json.dumps({"question_id": "q-lung-06", "relevant": ["no-such"]}) + "\n")
    with pytest.raises(DatasetError, match="no-such"):
        check_gold(load_gold_retrieval(bad), load_corpus(), str(bad))
    line = json.dumps({"question_id": "q-lung-06", "relevant": ["lung-ov-002"]})
    bad.write_text(line + "\n" + line + "\n")
    with pytest.raises(DatasetError, match=r"line 2.*listed twice"):
        load_gold_retrieval(bad)


def test_the_command_prints_each_retriever_per_cancer_type_and_overall(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["retrieval", "--retriever", "bm25", "--k", "3", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "retrieval at k=3" in out and "recall@k" in out and "ndcg@k" in out
    assert "bm25       lung" in out
    assert re.search(r"bm25 +overall +61 ", out)
    rows = json.loads((tmp_path / "retrieval.json").read_text())
    assert len(rows) == 61 and {"recall", "precision", "mrr", "ndcg"} <= rows[0].keys()


def test_bad_gold_exits_2_with_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "gold.jsonl"
    bad.write_text('{"question_id": "q-lung-06", "relevant": []}\n')
    assert main(["retrieval", "--retriever", "bm25", "--gold", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "gold.jsonl, line 1" in err and "relevant" in err


def test_the_help_lists_the_retrieval_command_and_score_shows_repeat() -> None:
    parser = build_parser()
    assert "retrieval" in parser.format_help()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert "--repeat" in sub.choices["score"].format_help()  # type: ignore[attr-defined]
