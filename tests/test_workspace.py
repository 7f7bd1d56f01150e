"""One place decides where things live; every face honours `WORKBENCH_STORE`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import workbench.cli.review_server as review_server
from workbench.cli.main import main
from workbench.data.datasets import default_datasets_dir, embedded_datasets_dir
from workbench.store import SQLiteStore
from workbench.workspace import Workspace, default_store


def test_the_store_is_the_flag_then_the_environment_then_the_project_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert default_store().path == tmp_path / "workbench.db"
    monkeypatch.setenv("WORKBENCH_STORE", str(tmp_path / "team.db"))
    assert default_store().path == tmp_path / "team.db"
    assert default_store(tmp_path / "mine.db").path == tmp_path / "mine.db"
    (tmp_path / "notebooks").mkdir()
    monkeypatch.delenv("WORKBENCH_STORE")
    monkeypatch.chdir(tmp_path / "notebooks")  # a notebook's kernel finds the same file
    assert default_store().path == tmp_path / "workbench.db"


def test_a_workspace_names_every_part_of_its_data_set_folder(tmp_path: Path) -> None:
    ws = Workspace.resolve(datasets=tmp_path, questions=tmp_path / "q.jsonl")
    assert ws.questions == tmp_path / "q.jsonl" and ws.excerpts == tmp_path / "excerpts"
    # rules and gold labels the folder lacks are the embedded ones (an imported folder)
    assert ws.rules_file == embedded_datasets_dir() / "safety_rules.yaml"
    assert ws.gold_claims == embedded_datasets_dir() / "gold" / "claims"
    (tmp_path / "safety_rules.yaml").write_text("rules: []\n")
    (tmp_path / "gold" / "claims").mkdir(parents=True)
    assert ws.rules_file == tmp_path / "safety_rules.yaml"
    assert ws.gold_claims == tmp_path / "gold" / "claims"
    default = Workspace.resolve()
    assert default.datasets == default_datasets_dir() and default.corpus.questions
    assert default.reloaded().corpus is not default.corpus


def test_the_command_line_uses_the_store_the_environment_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WORKBENCH_STORE", str(tmp_path / "team.db"))
    assert main(["generate", "--limit", "1", "--prompt", "patient_answer@v1", "-q"]) == 0
    assert not (tmp_path / "workbench.db").exists()
    with SQLiteStore(tmp_path / "team.db") as store:
        assert len(store.answers()) == 1
    assert main(["runs"]) == 0
    assert "patient_answer@v1.offline" in capsys.readouterr().out


def test_the_review_server_serves_the_store_the_environment_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    SQLiteStore(tmp_path / "team.db").close()
    monkeypatch.setenv("WORKBENCH_STORE", str(tmp_path / "team.db"))
    served: dict[str, Any] = {}

    def exec_instead(path: str, argv: list[str], env: dict[str, str]) -> None:
        served.update(path=path, argv=argv, env=env)

    monkeypatch.setattr(review_server.os, "execve", exec_instead)
    assert main(["review", "--no-browser", "--port", "9124"]) == 0
    assert served["env"]["WORKBENCH_STORE"] == str((tmp_path / "team.db").resolve())
    assert str(tmp_path / "team.db") in capsys.readouterr().out
