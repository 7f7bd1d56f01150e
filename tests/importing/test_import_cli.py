"""`workbench import` end to end: errors, all-or-nothing writing, permissions, the demo
on an imported folder, and a new document version re-scoring only what it changed."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.importing.conftest import words
from tests.oneline import one_line
from workbench.cli.main import main
from workbench.data.datasets import load_excerpts
from workbench.importing import import_documents
from workbench.importing.blocks import Block
from workbench.importing.chunking import MAX_WORDS, TARGET_WORDS, chunk_sections, sections_of

GUIDE = """# Breast cancer care

## Treatment

Surgery is the most common treatment for early breast cancer. The surgeon removes the
tumor and a rim of healthy tissue around it.

### CAR T-cell therapy

CAR T-cell therapy is approved only for certain blood cancers. For breast cancer it is
offered only in clinical trials.

## Side effects

Tiredness is common during radiation therapy and usually gets better a few weeks after
the last treatment.
"""


@pytest.fixture
def guide(tmp_path: Path) -> Path:
    path = tmp_path / "src" / "guide.md"
    path.parent.mkdir()
    path.write_text(GUIDE, encoding="utf-8")
    return path


def test_summary_names_sections_and_the_section_path_is_kept(
    guide: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(guide), "--into", "data", "--version", "2025.1",
                 "--date", "2025-03-31", "--license", "Public domain",
                 "--link", "https://example.org/guide"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "3 added, 0 changed, 0 unchanged, 0 removed" in out
    assert "Treatment > CAR T-cell therapy" in out
    (row,) = [
        json.loads(line)
        for line in Path("data/excerpts/guide.jsonl").read_text().splitlines()
        if "CAR T" in line
    ]
    assert row["section"] == "Treatment > CAR T-cell therapy"
    assert (row["date"], row["license"], row["source_version"]) == (
        "2025-03-31", "Public domain", "2025.1")  # fmt: skip
    assert row["link"] == "https://example.org/guide" and row["version"] == 1


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("notes.xyz", b"some text", "unknown format '.xyz'"),
        ("old.doc", b"\xd0\xcf\x11\xe0", "old Word format"),
        ("fake.pdf", b"<html>not a pdf</html>", "not a PDF"),
        ("fake.docx", b"plain text", "not a DOCX"),
        ("latin1.txt", "Caf\u00e9 au lait, not UTF-8".encode("latin-1"), "not UTF-8"),
        ("empty.md", b"  \n", "the file is empty"),
    ],
)
def test_bad_files_end_in_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes, expected: str
) -> None:
    (tmp_path / name).write_bytes(content)
    assert main(["import", str(tmp_path / name), "--into", "data"]) == 2
    err = one_line(capsys)
    assert name in err and expected in err
    assert not Path("data").exists()


def test_a_missing_or_unreadable_file_isone_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(tmp_path / "nowhere.pdf"), "--into", "data"]) == 2
    assert "cannot read the file" in one_line(capsys)
    if os.geteuid() != 0:  # root reads anything
        locked = tmp_path / "locked.md"
        locked.write_text(GUIDE)
        locked.chmod(0)
        assert main(["import", str(locked), "--into", "data"]) == 2
        assert "Permission denied" in one_line(capsys)


def test_one_bad_file_leaves_the_folder_as_it_was(
    guide: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(guide), "--into", "data"]) == 0
    before = {p: p.read_bytes() for p in Path("data").rglob("*") if p.is_file()}
    guide.write_text(GUIDE.replace("Tiredness is common", "Fatigue is common"))
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\nthis is not a real pdf\n")
    assert main(["import", str(guide), str(tmp_path / "broken.pdf"), "--into", "data"]) == 2
    assert "broken.pdf" in one_line(capsys)
    after = {p: p.read_bytes() for p in Path("data").rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in Path().iterdir() if p.name.startswith(".data.import")] == []


@pytest.fixture
def umask_002() -> Iterator[None]:
    old = os.umask(0o002)
    yield
    os.umask(old)


def test_outputs_follow_the_umask(guide: Path, umask_002: None) -> None:
    import_documents([guide], "data")
    assert stat.S_IMODE(Path("data").stat().st_mode) == 0o775
    assert stat.S_IMODE(Path("data/excerpts").stat().st_mode) == 0o775
    (file,) = Path("data/excerpts").iterdir()
    assert stat.S_IMODE(file.stat().st_mode) == 0o664
    for copied in [*Path("data/questions").iterdir(), *Path("data/prompts").iterdir()]:
        assert stat.S_IMODE(copied.stat().st_mode) == 0o664
    assert stat.S_IMODE(Path("data/prompts").stat().st_mode) == 0o775


def test_import_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["import", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for option in ("--into", "--source-title", "--link", "--version", "--date", "--license"):
        assert option in out


def test_a_folder_imports_its_documents_and_skips_other_files(guide: Path) -> None:
    (guide.parent / "notes.csv").write_text("a,b\n")
    (guide.parent / ".git").mkdir()
    (guide.parent / ".git" / "README.md").write_text("# not a guideline\n\nhidden text.\n")
    (guide.parent / "more.txt").write_text("Diet\n\nEating well helps during treatment.\n")
    result = import_documents([guide.parent], "data")
    assert {d.path.name for d in result.documents} == {"guide.md", "more.txt"}
    assert [p.name for p in result.skipped] == ["notes.csv"]
    assert "skipped" in result.summary()


def test_documents_are_filed_by_file_name_or_source_title_never_by_inner_title(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("a", "b"):  # two unrelated files whose inner title is the same
        (tmp_path / f"{name}.md").write_text(f"# Untitled\n\n## Notes\n\nText of {name}, kept.\n")
    import_documents([tmp_path / "a.md"], "data")
    import_documents([tmp_path / "b.md"], "data")
    assert sorted(p.name for p in Path("data/excerpts").iterdir()) == ["a.jsonl", "b.jsonl"]
    long = "Breast Cancer Treatment (PDQ) Patient Version"
    one = import_documents([tmp_path / "a.md"], source_title=long)
    two = import_documents([tmp_path / "a.md"], source_title=long.replace("Patient", "Health"))
    assert one.documents[0].key != two.documents[0].key
    assert len(one.documents[0].key) <= 32
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.md").write_text("## Other\n\nAnother file named a.\n")
    assert main(["import", str(tmp_path / "a.md"), str(tmp_path / "sub"), "--into", "x"]) == 2
    assert "import them one at a time" in one_line(capsys)


def test_two_documents_with_one_title_get_a_key_each(guide: Path) -> None:
    other = guide.parent / "chapter2.md"
    other.write_text("## Follow-up\n\nVisits continue for five years after treatment ends.\n")
    result = import_documents([guide, other], "data", source_title="Care guide")
    assert len({d.key for d in result.documents}) == 2
    assert {e.source_title for e in result.excerpts} == {"Care guide"}


def test_long_paragraphs_split_between_sentences_near_the_target() -> None:
    sentence = "Each visit checks how recovery is going and what the next step should be."
    long_paragraph = " ".join([sentence] * 60)  # about 840 words
    _, sections = sections_of([Block("Follow-up", 2), Block(long_paragraph)])
    chunks = chunk_sections(sections)
    assert len(chunks) > 3
    for chunk in chunks:
        assert chunk.text.endswith(".") and chunk.text.startswith("Each visit")
        assert len(chunk.text.split()) <= max(TARGET_WORDS, MAX_WORDS)
    assert words(" ".join(c.text for c in chunks)) == words(long_paragraph)
    assert [c.number for c in chunks] == list(range(1, len(chunks) + 1))


def test_demo_runs_on_a_folder_made_only_by_import(
    guide: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(guide), "--into", "mine", "--cancer-type", "breast"]) == 0
    assert sorted(p.name for p in Path("mine").iterdir()) == ["excerpts", "prompts", "questions"]
    assert "copied the embedded questions and prompts into mine" in capsys.readouterr().out
    assert main(["demo", "--datasets", "mine", "--out", "demo", "--limit", "3", "-q"]) == 0
    out = capsys.readouterr().out
    assert "offline judge on" in out and Path("demo/report.html").exists()
    retrieved = {
        i
        for (ids,) in sqlite3.connect("demo/demo.db").execute("SELECT retrieved_ids FROM answers")
        for i in json.loads(ids)
    }
    assert retrieved and retrieved <= {e.id for e in load_excerpts(Path("mine/excerpts"))}


MORE = """# Breast cancer topics

## Screening
A mammogram is an x-ray picture of the breast used to look for cancer before symptoms.

## Signs to watch for
A new lump in the breast or armpit, or a change in the skin or nipple, should be checked.

## HER2-positive disease
HER2-positive cancer cells make too much of a protein called HER2 and may be treated with
drugs that target it, such as trastuzumab.

## Hormone therapy
Tamoxifen blocks estrogen from reaching cancer cells. Hot flashes are a common effect.

## Fever during chemotherapy
A fever during chemotherapy can be a sign of infection and needs a call to the care team
right away.

## Genes and risk
Inherited changes in the BRCA1 or BRCA2 genes raise the risk of breast cancer.
"""


def test_a_new_version_rescores_only_answers_judged_on_the_changed_section(
    guide: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ["--datasets", "mine", "--store", "w.db"]
    (guide.parent / "more.md").write_text(MORE)
    assert main(["import", str(guide), "--into", "mine", "--cancer-type", "breast"]) == 0
    assert main(["import", str(guide.parent / "more.md"), "--into", "mine",
                 "--cancer-type", "breast"]) == 0  # fmt: skip
    assert main(["generate", *data, "--cancer-type", "breast", "--limit", "6", "-q"]) == 0
    assert main(["score", *data, "-q"]) == 0
    guide.write_text(GUIDE.replace("usually gets better a few weeks", "can last some months"))
    assert main(["import", str(guide), "--into", "mine", "--version", "2"]) == 0
    assert "1 changed, 2 unchanged" in capsys.readouterr().out
    (changed,) = [e for e in load_excerpts(Path("mine/excerpts")) if e.version == 2]
    rows = sqlite3.connect("w.db").execute("SELECT id, retrieved_ids FROM answers").fetchall()
    affected = {a for a, ids in rows if changed.id in json.loads(ids)}
    assert 0 < len(affected) < len(rows)
    assert main(["score", *data, "--stale", "-q"]) == 0
    assert f"scored {len(affected)}, already done" in capsys.readouterr().out
