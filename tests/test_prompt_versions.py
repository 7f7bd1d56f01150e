"""Saving a prompt version: a new YAML file, the next number, never an overwrite."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workbench.data.datasets import default_datasets_dir, load_prompts, save_prompt_version
from workbench.errors import DatasetError


@pytest.fixture
def prompts(tmp_path: Path) -> Path:
    folder = tmp_path / "prompts"
    shutil.copytree(default_datasets_dir() / "prompts", folder)
    return folder


def test_a_new_version_reads_back_as_written(prompts: Path) -> None:
    (base,) = [p for p in load_prompts(prompts) if p.version == 1]
    saved, path = save_prompt_version(
        base, system="Line one.\nLine two {target_grade}.", user="Q: {question}",
        description="", parameters={"target_grade": 5}, folder=prompts,
    )  # fmt: skip
    assert path == prompts / "patient_answer_v3.yaml" and saved.key == "patient_answer@v3"
    assert saved.system == "Line one.\nLine two {target_grade}." and saved.parameters == {
        "target_grade": 5
    }
    assert saved.description == "edited from patient_answer@v1"
    assert "system: |" in path.read_text()  # readable block text, like the hand-written files
    assert {p.key for p in load_prompts(prompts)} >= {"patient_answer@v1", "patient_answer@v3"}


def test_an_existing_file_is_never_overwritten(prompts: Path) -> None:
    (base,) = [p for p in load_prompts(prompts) if p.version == 2]
    (prompts / "patient_answer_v3.yaml").write_text("not yaml: [")  # someone else's file
    with pytest.raises(DatasetError):  # the folder no longer loads: nothing is written
        save_prompt_version(base, system="s", user="u", description="d", parameters={},
                            folder=prompts)  # fmt: skip
    assert (prompts / "patient_answer_v3.yaml").read_text() == "not yaml: ["


def test_a_bad_parameter_names_the_field(prompts: Path) -> None:
    (base,) = [p for p in load_prompts(prompts) if p.version == 2]
    with pytest.raises(DatasetError, match="parameters"):
        save_prompt_version(base, system="s", user="u", description="d",
                            parameters={"x": 1, 2: "not a name"},  # type: ignore[dict-item]
                            folder=prompts)  # fmt: skip
    assert not (prompts / "patient_answer_v3.yaml").exists()
