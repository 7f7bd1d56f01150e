"""The command line, run in-process: help, the offline flow, the demo, clear errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from workbench.cli.main import main
from workbench.data.datasets import default_datasets_dir

COMMANDS = ["generate", "score", "report", "export", "demo"]


OPTIONS = {
    "generate": ["--questions", "--prompt", "--backend", "--store", "--limit", "--run"],
    "score": ["--questions", "--judge", "--store", "--run", "--rescore"],
    "report": ["--store", "--out", "--judge"],
    "export": ["--store", "--out", "--limit"],
    "demo": ["--store", "--out", "--limit"],
}


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for option in OPTIONS[command]:
        assert option in out


def test_generate_score_report_export_offline(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--limit", "3", "-q"]) == 0
    assert main(["generate", "--limit", "3", "-q"]) == 0  # a rerun resumes: nothing new
    out = capsys.readouterr().out
    assert "generated 3, already done 0" in out and "generated 0, already done 3" in out
    assert main(["score", "-q"]) == 0
    assert "scored 6" in capsys.readouterr().out
    assert main(["report", "--out", "rep", "--no-calibration", "-q"]) == 0
    assert Path("rep/report.html").exists()
    assert len(pd.read_csv("rep/evaluations.csv")) == 6
    assert main(["export", "--out", "exp", "-q"]) == 0
    assert len(json.loads(Path("exp/evaluations.json").read_text())) == 6


def test_generate_filters_by_prompt_and_cancer_type(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--prompt", "patient_answer@v2", "--cancer-type", "lung", "-q"]) == 0
    assert "in run patient_answer@v2.offline" in capsys.readouterr().out


def test_demo_writes_report_and_csv_and_prints_the_gold_measures(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo", "--limit", "4", "--out", "demo", "-q"]) == 0
    out = capsys.readouterr().out
    assert "balanced accuracy" in out and "precision" in out and "recall" in out
    assert Path("demo/report.html").exists() and Path("demo/evaluations.csv").exists()
    assert len(pd.read_csv("demo/evaluations.csv")) == 8  # 4 questions x 2 prompt versions


def test_a_bad_data_line_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"id": "q1", "text": "What is it?", "cancer_type": "lung"}\n{"id": "q2"}\n')
    assert main(["generate", "--questions", str(bad), "-q"]) == 2
    err = capsys.readouterr().err
    assert f"{bad}, line 2: field 'text'" in err


def test_an_unknown_prompt_is_refused_with_the_known_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["generate", "--prompt", "nope@v9", "-q"]) == 2
    assert "patient_answer@v1" in capsys.readouterr().err


def test_a_datasets_folder_brings_its_own_safety_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "data"
    shutil.copytree(default_datasets_dir(), folder)
    rules = folder / "safety_rules.yaml"
    rules.write_text(rules.read_text().replace("max_grade: 8.0", "max_grade: 30.0"))
    args = ["--datasets", str(folder), "-q"]
    assert main(["generate", "--limit", "4", *args]) == 0
    assert main(["score", *args]) == 0
    assert main(["export", "--out", "exp", *args]) == 0
    rows = pd.read_csv("exp/evaluations.csv")
    assert not rows["safety_rules"].astype("string").fillna("").str.contains("reading-level").any()


def test_runs_and_compare_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--limit", "3", "-q"]) == 0
    assert main(["score", "-q"]) == 0
    capsys.readouterr()
    assert main(["runs"]) == 0
    out = capsys.readouterr().out
    assert "patient_answer@v1.offline" in out and "3 answers" in out
    a, b = (
        "patient_answer@v1.offline.extractive-composer-2",
        "patient_answer@v2.offline.extractive-composer-2",
    )
    assert main(["compare", a, b, "--out", "cmp"]) == 0
    out = capsys.readouterr().out
    assert "on 3 shared questions" in out and "B wins" in out
    assert len(pd.read_csv("cmp/comparison.csv")) == 3
    assert main(["compare", a, "nope"]) == 2


def test_compare_takes_prompt_versions_that_name_one_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["generate", "--limit", "3", "-q"]) == 0
    assert main(["score", "-q"]) == 0
    capsys.readouterr()
    assert main(["compare", "patient_answer@v1", "patient_answer@v2", "--out", "cmp"]) == 0
    out = capsys.readouterr().out
    assert "patient_answer@v2.offline.extractive-composer-2 against patient_answer@v1." in out
    # a second run of v1 makes the prompt version ambiguous: the candidates are listed
    assert (
        main(["generate", "--limit", "2", "--prompt", "patient_answer@v1", "--run", "v1b", "-q"])
        == 0
    )
    capsys.readouterr()
    assert main(["compare", "patient_answer@v1", "patient_answer@v2"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "names 2 runs" in err and "v1b" in err and "patient_answer@v1.offline" in err
    assert main(["compare", "patient_answer@v9", "patient_answer@v2"]) == 2
    assert "known: " in capsys.readouterr().err
