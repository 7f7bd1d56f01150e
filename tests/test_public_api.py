from pathlib import Path

import pandas as pd
import pytest

import workbench
from workbench.models import Answer, Run
from workbench.runs.demo import run_demo
from workbench.store import SQLiteStore


def test_everything_in_all_is_importable_and_documented() -> None:
    for name in workbench.__all__:
        obj = getattr(workbench, name)
        assert obj.__doc__, name


def test_import_documents_is_public_and_returns_the_excerpts(tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    (folder / "note.md").write_text("# Note\n\n## Diet\n\nEating well helps during treatment.\n")
    result = workbench.import_documents([folder / "note.md"])
    assert isinstance(result, workbench.ImportResult)
    assert [type(e) for e in result.excerpts] == [workbench.Excerpt]
    assert issubclass(workbench.DocumentError, workbench.DatasetError)


def test_frame_loads_a_store_by_path_with_answer_text_and_claim_counts(tmp_path: Path) -> None:
    result = run_demo(tmp_path / "demo", limit=3, progress=False)
    rows = workbench.frame(result.store_path)
    assert len(rows) == 6
    assert rows["answer"].str.len().min() > 50
    counts = rows["supported"] + rows["contradicted"] + rows["not_found"]
    assert (counts == rows["claims"]).all()
    assert "frame" in workbench.__all__


def test_frame_of_a_missing_store_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(workbench.StoreError, match="no store there"):
        workbench.frame(tmp_path / "nothing.db")


def test_frame_has_a_row_for_each_answer_not_scored_yet(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with SQLiteStore(path) as store:
        store.ensure_run(Run("r", "p@1", "offline", "m", "t"))
        for aid, qid in (("a-1", "q-lung-01"), ("a-2", "q-lung-02")):
            store.add_answer(Answer(aid, "r", qid, "p@1", "offline", "m", "text", (), ()))
        store.add_evaluation(
            workbench.Evaluation(
                "a-1", "offline", workbench.EvaluationStatus.SCORED, 1.0, (), (), None, None
            )
        )
    rows = workbench.frame(path).set_index("answer_id")
    assert list(rows.index) == ["a-1", "a-2"]
    assert rows.loc["a-1", "status"] == "scored" and rows.loc["a-1", "faithfulness"] == 1.0
    unscored = rows.loc["a-2"]
    assert unscored["status"] == "not scored" and unscored["review_status"] == "not reviewed"
    assert pd.isna(unscored["judge"]) and pd.isna(unscored["faithfulness"])
    assert pd.isna(unscored["claims"]) and unscored["answer"] == "text"
