"""The quality gate: on the demo store, on hand-made scores whose outcome is known, in pytest."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from workbench.cli.main import build_parser, main
from workbench.data.datasets import Corpus
from workbench.errors import ConfigError, DatasetError
from workbench.models import Answer, Evaluation, EvaluationStatus, Run
from workbench.reports.gate import GateSpec, check_gate
from workbench.store import SQLiteStore, Store
from workbench.testing import GateFailed, assert_gate

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_store_fails_the_default_gate_on_its_hard_fail(
    demo_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["gate", "--store", str(demo_store)]) == 1
    out = capsys.readouterr().out
    assert "answers with a fail-severity finding  <= 0" in out
    assert re.search(r"\(q-lung-\d+: investigational-as-available\)", out)
    assert out.rstrip().endswith("FAIL: 1 of 1 checks missed")


def test_the_demo_store_passes_thresholds_it_meets(
    demo_store: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Safety findings are gated apart (the default gate above); these thresholds alone.
    args = ["gate", "--store", str(demo_store), "--run", "patient_answer@v2"]
    thresholds = ["--min-faithfulness", "0.95", "--min-faithfulness-low", "0.9"]
    thresholds += ["--max-unsupported-share", "0.05", "--baseline", "patient_answer@v1"]
    assert main([*args, *thresholds, "--allow-fail-findings"]) == 0
    out = capsys.readouterr().out
    assert "PASS: 4 of 4 checks held" in out
    assert "no significant drop against patient_answer@v1" in out
    # the same from a file
    gate = tmp_path / "gate.yaml"
    gate.write_text(
        "runs: [patient_answer@v2]\nmin_faithfulness: 0.95\nmax_unsupported_share: 0.05\n"
        "baseline: patient_answer@v1\nmax_fail_findings: null\n"
    )
    assert main(["gate", "--store", str(demo_store), "--config", str(gate)]) == 0
    # an option over the file: every run again, and v1's hard fail counts under the default
    gate.write_text(gate.read_text().replace("max_fail_findings: null\n", ""))
    assert main(["gate", "--store", str(demo_store), "--config", str(gate), "--run",
                 "patient_answer@v1", "--baseline", "patient_answer@v2"]) == 1  # fmt: skip


def test_bad_gate_input_is_one_line_and_exit_2(
    demo_store: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    gate = tmp_path / "gate.yaml"
    gate.write_text("runs: [patient_answer@v2]\nmin_faithfulnes: 0.9\n")
    assert main(["gate", "--store", str(demo_store), "--config", str(gate)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "gate.yaml" in err and "line 2" in err
    assert "min_faithfulnes" in err
    assert main(["gate", "--store", str(demo_store), "--judge", "ragas"]) == 2
    assert "judges there: offline" in capsys.readouterr().err
    assert main(["gate", "--store", str(tmp_path / "none.db")]) == 2
    assert not (tmp_path / "none.db").exists()
    # a baseline needs one run to compare with it
    assert main(["gate", "--store", str(demo_store), "--baseline", "patient_answer@v1"]) == 2


def test_assert_gate_for_pytest_users(demo_store: Path, tmp_path: Path) -> None:
    with pytest.raises(GateFailed, match=r"(?s)fail-severity finding.*FAIL: 1 of 1"):
        assert_gate(demo_store)
    result = assert_gate(
        demo_store, runs=["patient_answer@v2"], min_faithfulness=0.95, max_fail_findings=None
    )
    assert result.passed and result.answers == 61
    assert isinstance(GateFailed("x"), AssertionError)
    gate = tmp_path / "gate.yaml"
    gate.write_text("runs: [patient_answer@v2]\nmin_faithfulness: 0.95\nmax_fail_findings: null\n")
    assert assert_gate(demo_store, config=gate).passed
    with pytest.raises(ConfigError, match="not both"):
        assert_gate(demo_store, config=gate, min_faithfulness=0.5)
    gate.write_text("runs: patient_answer@v2\n")
    with pytest.raises(DatasetError, match="line 1"):
        assert_gate(demo_store, config=gate)


def _fill(store: Store, run: str, scores: list[float | None]) -> None:
    store.ensure_run(Run(run, f"p@{run}", "offline", "m", "t"))
    for n, score in enumerate(scores):
        aid = f"{run}-{n}"
        store.add_answer(Answer(aid, run, f"q{n}", f"p@{run}", "offline", "m", "text", (), ()))
        status = EvaluationStatus.JUDGE_FAILED if score is None else EvaluationStatus.SCORED
        store.add_evaluation(Evaluation(aid, "offline", status, score, (), (), 7.0, 8.0))


def test_a_significant_drop_fails_and_a_noisy_one_does_not(store: Store, corpus: Corpus) -> None:
    _fill(store, "A", [1.0] * 20)
    _fill(store, "B", [0.8] * 20)  # every question lost 0.2: the interval is [-0.2, -0.2]
    _fill(store, "C", [1.0] * 19 + [0.5])  # one question lost: the interval reaches 0
    drop = check_gate(store, corpus, GateSpec(runs=("B",), baseline="A"))
    assert not drop.passed and "-0.200 [-0.200, -0.200]" in drop.table()
    assert check_gate(store, corpus, GateSpec(runs=("B",), baseline="A", max_drop=0.25)).passed
    assert check_gate(store, corpus, GateSpec(runs=("C",), baseline="A")).passed


def test_numbers_print_the_way_they_are_compared(store: Store, corpus: Corpus) -> None:
    _fill(store, "A", [0.8996] * 10 + [None])
    result = check_gate(store, corpus, GateSpec(runs=("A",), min_faithfulness=0.9))
    assert not result.passed
    assert result.checks[0].observed == "0.8996"  # never "0.900" beside ">= 0.9"
    assert result.judge_failed == 1 and result.scored == 10
    with pytest.raises(ConfigError, match="no run or prompt version 'Z'"):
        check_gate(store, corpus, GateSpec(runs=("Z",)))


def test_no_scored_answer_fails_the_score_checks(store: Store, corpus: Corpus) -> None:
    _fill(store, "A", [None, None])
    store.add_answer(Answer("A-late", "A", "q9", "p@A", "offline", "m", "text", (), ()))
    result = check_gate(store, corpus, GateSpec(min_faithfulness=0.5, max_unsupported_share=0.5))
    assert [c.passed for c in result.checks] == [False, False, False]
    assert result.checks[0].detail == "no scored answer"
    assert result.checks[2].detail.startswith("not checked: A-late (q9)")
    assert "3 answers, 0 scored, 2 judge failures, 1 NOT SCORED)" in result.table()


def test_a_gate_with_no_evidence_or_nothing_to_check_fails_in_one_line(
    store: Store, corpus: Corpus
) -> None:
    store.ensure_run(Run("A", "p@A", "offline", "m", "t"))
    store.add_answer(Answer("A-0", "A", "q0", "p@A", "offline", "m", "text", (), ()))
    for spec in (GateSpec(), GateSpec(max_fail_findings=None, min_faithfulness=0.5)):
        result = check_gate(store, corpus, spec)
        assert not result.passed and result.judge is None
        assert result.table().startswith("FAIL: no answer of A is scored in ")
        assert "no check has evidence" in result.table() and "\n" not in result.table()
    _fill(store, "B", [None])  # judged, but the judge failed: no check is asked for
    nothing = check_gate(store, corpus, GateSpec(runs=("B",), max_fail_findings=None))
    assert not nothing.passed and "0 of 0" not in nothing.table()
    assert nothing.table().startswith("FAIL: no check to make")


def test_the_cli_gate_on_unscored_answers_exits_1_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.db"
    with SQLiteStore(path) as store:
        store.ensure_run(Run("A", "p@A", "offline", "m", "t"))
        store.add_answer(Answer("A-0", "A", "q0", "p@A", "offline", "m", "text", (), ()))
    assert main(["gate", "--store", str(path), "--allow-fail-findings"]) == 1
    out = capsys.readouterr().out.strip()
    assert len(out.splitlines()) == 1 and out.startswith("FAIL: ") and "PASS" not in out


def test_the_example_ci_workflow_runs_commands_the_cli_takes() -> None:
    workflow = yaml.safe_load((ROOT / "docs" / "ci-gate.yml").read_text())
    runs = [s["run"] for s in workflow["jobs"]["gate"]["steps"] if "run" in s]
    commands = [shlex.split(r) for r in runs if r.startswith("workbench ")]
    assert [c[1] for c in commands] == ["generate", "score", "report", "gate"]
    for command in commands:
        build_parser().parse_args(command[1:])  # argparse exits on an unknown option
