"""Bad input ends in one line naming the file (and where in it) and exit 2, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workbench.cli.main import main
from workbench.data.datasets import default_datasets_dir, load_prompts, load_questions
from workbench.errors import DatasetError

GOOD = '{"id": "q1", "text": "What is stage 2 breast cancer?", "cancer_type": "breast"}\n'


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    return code, captured.err.strip()


def test_a_questions_file_that_is_not_utf8_names_the_file_line_and_byte(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = Path("q.jsonl")
    second = '{"id": "q2", "text": "Caf\xe9 au lait spots?", "cancer_type": "breast"}\n'
    bad.write_bytes(GOOD.encode() + second.encode("latin-1"))
    code, err = _run(["generate", "--questions", str(bad), "-q"], capsys)
    offset = len(GOOD.encode()) + second.encode("latin-1").index(b"\xe9")
    assert code == 2 and len(err.splitlines()) == 1
    assert "q.jsonl, line 2" in err and f"byte {offset}" in err and "UTF-8" in err


def test_a_prompt_file_that_is_not_utf8_is_one_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "prompts"
    shutil.copytree(default_datasets_dir() / "prompts", folder)
    first = sorted(folder.glob("*.yaml"))[0]
    first.write_bytes(first.read_bytes().replace(b"plain", b"pl\xe4in", 1))
    with pytest.raises(DatasetError, match=r"not UTF-8 .*byte \d+"):
        load_prompts(folder)


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert [q.id for q in load_questions(path)] == ["q1"]
    folder = tmp_path / "prompts"
    shutil.copytree(default_datasets_dir() / "prompts", folder)
    first = sorted(folder.glob("*.yaml"))[0]
    first.write_bytes(b"\xef\xbb\xbf" + first.read_bytes())
    assert load_prompts(folder)


def test_an_empty_questions_file_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    Path("q.jsonl").write_text("\n  \n")
    code, err = _run(["generate", "--questions", "q.jsonl", "-q"], capsys)
    assert code == 2 and "q.jsonl" in err and "no questions" in err
    assert not Path("workbench.db").exists()  # nothing started


def test_an_unknown_cancer_type_filter_names_the_known_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, err = _run(["generate", "--cancer-type", "lungs", "-q"], capsys)
    assert code == 2 and "lungs" in err and "lung" in err.split("lungs", 1)[1]


def test_an_unknown_cancer_type_in_a_file_is_a_warning_naming_the_known_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Path("q.jsonl").write_text(GOOD + GOOD.replace("q1", "q2").replace('"breast"', '"lungs"'))
    code = main(["generate", "--questions", "q.jsonl", "-q"])
    err = capsys.readouterr().err
    assert code == 0
    assert "warning" in err and "q2" in err and "'lungs'" in err and " lung," in err
    assert "q1" not in err


def test_the_json_error_is_a_whole_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    Path("q.jsonl").write_text('{"id": "q1", "text": "What\tis it?", "cancer_type": "x"}\n')
    code, err = _run(["generate", "--questions", "q.jsonl", "-q"], capsys)
    assert code == 2 and "q.jsonl, line 1" in err
    assert "control character" in err and "(Invalid control character at)" not in err
    assert "column 27" in err


def test_deeply_nested_json_is_one_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    Path("q.jsonl").write_text("[" * 100_000 + "\n")
    code, err = _run(["generate", "--questions", "q.jsonl", "-q"], capsys)
    assert code == 2 and "q.jsonl, line 1" in err


def test_the_investigational_message_counts_what_is_missing() -> None:
    from workbench.scoring.safety import check_safety, load_rules

    rules = load_rules()
    one = check_safety(
        "CAR T-cell therapy is being studied in clinical trials.", rules=rules, cancer_type="breast"
    )
    both = check_safety(
        "CAR T-cell therapy is an option for you.", rules=rules, cancer_type="breast"
    )
    (m1,) = [f.message for f in one if f.rule_id == "investigational-as-available"]
    (m2,) = [f.message for f in both if f.rule_id == "investigational-as-available"]
    assert "both of these" not in m1 and "point to a clinical trial search" in m1
    assert "both of these" in m2


def test_a_store_in_a_missing_folder_is_refused_not_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    typo = tmp_path / "typo" / "dir" / "x.db"
    code, err = _run(["generate", "--store", str(typo), "--limit", "1", "-q"], capsys)
    assert code == 2 and len(err.splitlines()) == 1
    assert f"the folder {typo.parent} does not exist" in err
    assert not (tmp_path / "typo").exists()
