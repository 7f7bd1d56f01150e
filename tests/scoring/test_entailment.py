"""The entailment judge on a tiny ONNX model built by the test (tests/scoring/tiny_model.py):
loading, label mapping, batching, the cache, the Hugging Face cache lookup (never a
download) and a broken model as a failure value."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest

from tests.scoring.tiny_model import build
from workbench.errors import ConfigError
from workbench.models import EvaluationStatus, Excerpt, Verdict
from workbench.scoring.entailment import EntailmentJudge
from workbench.scoring.entailment_model import find_model, label_map, load_model
from workbench.scoring.judges import make_judge

SOURCES = [
    "The hospital opened a new radiation unit in March. It treats about forty patients a day.",
    "The guest house has twelve rooms. It is free of charge. entailed",
    "Surgery may help some patients. refuted",
]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("models") / "tiny-nli")


def test_a_model_folder_loads_and_its_labels_decide_the_verdicts(tiny: Path) -> None:
    judge = EntailmentJudge(str(tiny))
    (result,) = judge.judge_many(
        [
            (
                "The guest house has twelve rooms. Surgery may help some patients. "
                "The hospital treats about forty patients a day.",
                SOURCES,
            )
        ]
    )
    assert result.status is EvaluationStatus.SCORED
    verdicts = [v.verdict for v in result.verdicts]
    assert verdicts == [Verdict.SUPPORTED, Verdict.CONTRADICTED, Verdict.NOT_FOUND], result
    assert result.flagged and result.score is not None and 0 < result.score < 1
    assert result.verdicts[0].evidence_id == "excerpt-2"
    assert all(v.judge == "entailment" for v in result.verdicts)


def test_the_label_map_comes_from_the_config(tiny: Path, tmp_path: Path) -> None:
    flipped = build(
        tmp_path / "flipped", labels={0: "entailment", 1: "neutral", 2: "contradiction"}
    )
    (v,) = EntailmentJudge(str(flipped)).judge_many(
        [("The guest house has twelve rooms.", SOURCES)]
    )
    assert v.verdicts[0].verdict is Verdict.CONTRADICTED
    assert label_map({"id2label": {"0": "LABEL_0", "1": "LABEL_1"}}, 2).entailed == 1
    assert label_map({}, 1).sigmoid
    assert label_map({"id2label": {"0": "CONSISTENT", "1": "HALLUCINATED"}}, 2).entailed == 0
    with pytest.raises(ConfigError, match="which of the model's labels"):
        label_map({"id2label": {"0": "a", "1": "b", "2": "c"}}, 3)
    assert label_map({"id2label": {"0": "a", "1": "b", "2": "c"}}, 3, "b").entailed == 1


def test_batches_give_the_same_scores_and_the_cache_saves_calls(tiny: Path) -> None:
    answers = [
        ("The guest house has twelve rooms. It is free of charge.", SOURCES),
        ("The hospital opened a new radiation unit in March.", SOURCES),
        ("Surgery may help some patients.", SOURCES),
    ]
    one = EntailmentJudge(str(tiny), batch_size=1)
    many = EntailmentJudge(str(tiny), batch_size=5)
    a, b = one.judge_many(answers), many.judge_many(answers)
    assert [r.score for r in a] == [r.score for r in b]
    assert [v.support_score for r in a for v in r.verdicts] == [
        v.support_score for r in b for v in r.verdicts
    ]
    pairs = len(one.cache)
    assert one.calls == pairs and many.calls == math.ceil(pairs / 5)
    before = many.calls
    assert many.judge_many(answers[:2]) == b[:2]
    assert many.calls == before  # every pair was cached


def test_the_judge_seam_and_make_judge(tiny: Path) -> None:
    judge = make_judge("entailment", model=str(tiny))
    excerpts = [
        Excerpt(f"x{i}", t, "", (), "test", "", "", date(2026, 1, 1)) for i, t in enumerate(SOURCES)
    ]
    result = judge.judge("The guest house has twelve rooms.", excerpts)
    assert (
        result.verdicts[0].verdict is Verdict.SUPPORTED and result.verdicts[0].evidence_id == "x1"
    )
    assert [v.verdict for v in judge.verify(["Surgery may help some patients."], excerpts)] == [
        Verdict.CONTRADICTED
    ]
    assert judge.judge("Yes.", excerpts).status is EvaluationStatus.NO_CLAIMS


def test_a_broken_or_missing_model_is_a_failure_value(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    build(broken)
    (broken / "model.onnx").write_bytes(b"this is not an onnx graph")
    results = EntailmentJudge(str(broken)).judge_many(
        [("The guest house has twelve rooms.", SOURCES), ("Surgery may help.", SOURCES)]
    )
    assert [r.status for r in results] == [EvaluationStatus.JUDGE_FAILED] * 2
    assert all("not a loadable ONNX model" in (r.error or "") for r in results)
    missing = EntailmentJudge(str(tmp_path / "nowhere")).judge_many([("The unit opened.", SOURCES)])
    assert missing[0].status is EvaluationStatus.JUDGE_FAILED and "not found" in (
        missing[0].error or ""
    )


def test_a_repository_id_is_found_in_the_cache_and_never_downloaded(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.delenv("HUGGINGFACE_HUB_CACHE", raising=False)
    with pytest.raises(ConfigError, match="nothing is downloaded"):
        find_model("someone/tiny-nli")
    repo = tmp_path / "hf" / "hub" / "models--someone--tiny-nli"
    build(repo / "snapshots" / "abc123")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("abc123")
    assert find_model("someone/tiny-nli") == repo / "snapshots" / "abc123"
    assert load_model("someone/tiny-nli").scores([("a", "entailed")])[0].entailed > 0.99


def test_a_pytorch_folder_runs_through_transformers_when_installed(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    config = transformers.BertConfig(
        vocab_size=60, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=16, num_labels=2,
    )  # fmt: skip
    model = transformers.BertForSequenceClassification(config)
    folder = tmp_path / "torch-model"
    model.save_pretrained(folder)
    build(tmp_path / "tok")  # its tokenizer.json serves as a fast tokenizer here
    fast = transformers.PreTrainedTokenizerFast(
        tokenizer_file=str(tmp_path / "tok" / "tokenizer.json")
    )
    fast.pad_token = "[PAD]"
    fast.save_pretrained(folder)
    scores = load_model(str(folder)).scores([("The unit opened.", "It opened."), ("a", "b")])
    assert len(scores) == 2 and all(0.0 <= s.entailed <= 1.0 for s in scores)
