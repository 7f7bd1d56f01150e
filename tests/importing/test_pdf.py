"""PDFs printed by headless Chromium from pages the tests write, imported from the CLI."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from pypdf import PdfWriter

from tests.importing.conftest import PrintPdf, page, words
from workbench.cli.main import main
from workbench.data.datasets import load_excerpts

TREATMENT = (
    "Surgery is the most common treatment for early breast cancer. The surgeon removes "
    "the tumor and a rim of healthy tissue around it.",
    "Radiation therapy is often given after breast-conserving surgery to lower the chance "
    "that the cancer comes back in the same breast.",
)
SIDE_EFFECTS = (
    "Tiredness is common during radiation therapy and usually gets better a few weeks "
    "after the last treatment.",
    "Skin in the treated area may turn red or dry, much like a sunburn.",
)
EDITED = (
    "Tiredness is common during radiation therapy and can last for some months after "
    "the last treatment.",
    SIDE_EFFECTS[1],
)


def _rows(folder: Path) -> list[dict[str, object]]:
    lines = (folder / "excerpts").glob("*.jsonl")
    return [json.loads(line) for f in sorted(lines) for line in f.read_text().splitlines()]


def _import(*args: str) -> int:
    return main(["import", *args])


def test_a_two_section_page_becomes_excerpts_titled_by_its_headings(
    print_pdf: PrintPdf, capsys: pytest.CaptureFixture[str]
) -> None:
    sections = [("Treatment", TREATMENT), ("Side effects", SIDE_EFFECTS)]
    pdf = print_pdf(page("Breast cancer care", sections), "guide")
    assert _import(str(pdf), "--into", "data", "--link", "https://example.org/guide") == 0
    excerpts = load_excerpts(Path("data/excerpts"))
    assert len(excerpts) >= 2
    by_section = {e.section: e for e in excerpts}
    assert sorted(by_section) == ["Side effects", "Treatment"]
    assert words(by_section["Treatment"].text) == words(" ".join(TREATMENT))
    assert words(by_section["Side effects"].text) == words(" ".join(SIDE_EFFECTS))
    for e in excerpts:
        assert e.pages == (1,)
        assert e.source_title == "Breast cancer care"  # the page's title, from the PDF
        assert e.link == "https://example.org/guide"
        assert "file:" not in e.text and "1/1" not in e.text  # Chromium's header and footer
    out = capsys.readouterr().out
    assert "2 added, 0 changed, 0 unchanged, 0 removed" in out


def test_reimport_keeps_ids_and_an_edited_section_alone_gets_the_new_version(
    print_pdf: PrintPdf, capsys: pytest.CaptureFixture[str]
) -> None:
    sections = [("Treatment", TREATMENT), ("Side effects", SIDE_EFFECTS)]
    first = print_pdf(page("Breast cancer care", sections), "v1")
    title = ["--source-title", "Breast cancer care"]  # the same document: v1.pdf, v2.pdf
    assert _import(str(first), "--into", "data", *title, "--version", "2025.1") == 0
    before = _rows(Path("data"))
    text_before = (Path("data/excerpts") / "breast-cancer-care.jsonl").read_bytes()

    assert _import(str(first), "--into", "data", *title, "--version", "2025.1") == 0
    assert (Path("data/excerpts") / "breast-cancer-care.jsonl").read_bytes() == text_before
    assert "0 added, 0 changed, 2 unchanged, 0 removed" in capsys.readouterr().out

    edited_sections = [("Treatment", TREATMENT), ("Side effects", EDITED)]
    edited = print_pdf(page("Breast cancer care", edited_sections), "v2")
    assert _import(str(edited), "--into", "data", *title, "--version", "2025.2") == 0
    after = {r["id"]: r for r in _rows(Path("data"))}
    assert set(after) == {r["id"] for r in before}
    for row in before:
        now = after[row["id"]]
        if row["section"] == "Side effects":
            assert (now["version"], now["source_version"]) == (2, "2025.2")
            assert words(str(now["text"])) == words(" ".join(EDITED))
        else:  # unchanged: same text, version, document version and date
            kept = ("text", "version", "source_version", "date", "section", "pages")
            assert {k: now[k] for k in kept} == {k: row[k] for k in kept}
            assert now["basis"] == "imported from v2.pdf"  # where it was read from now
    out = capsys.readouterr().out
    assert "0 added, 1 changed, 1 unchanged, 0 removed" in out and "v1 -> v2" in out


def test_a_long_document_keeps_page_numbers_and_drops_running_heads(
    print_pdf: PrintPdf,
) -> None:
    topics = (
        "pain, sleep, appetite, mood, energy, skin, weight, breathing, bowel habits, memory, "
        "work, exercise, family life, money, travel"
    ).split(", ")
    paragraphs = [
        f"At visit {i} the care team asks about {topic} and about any new symptom since the "
        f"last visit, checks the treated area, and writes down what changed for {topic} so "
        f"that the next visit can compare. Questions about {topic} are welcome at any time."
        for i, topic in enumerate(topics * 2, start=1)
    ]
    sections = [("Follow-up care", paragraphs[:15]), ("Living after treatment", paragraphs[15:])]
    pdf = print_pdf(page("Follow-up", sections, style="p{font-size:14pt}"), "long")
    assert _import(str(pdf), "--into", "data") == 0
    excerpts = load_excerpts(Path("data/excerpts"))
    text = "\n".join(e.text for e in excerpts)
    for p in paragraphs:  # every paragraph whole, even one a page break cut in two
        assert words(p) in words(text)
    pages = [page_no for e in excerpts for page_no in e.pages]
    assert pages == sorted(pages) and max(pages) >= 3
    assert "file:" not in text and "Follow-up\n" not in text


def test_a_two_column_layout_reads_column_by_column(print_pdf: PrintPdf) -> None:
    sections = [("Treatment", TREATMENT * 3), ("Side effects", SIDE_EFFECTS * 3)]
    pdf = print_pdf(page("Two columns", sections, style="body{column-count:2}"), "columns")
    assert _import(str(pdf), "--into", "data") == 0
    by_section: dict[str, str] = {}
    for e in load_excerpts(Path("data/excerpts")):  # a long section is several excerpts
        by_section[e.section] = f"{by_section.get(e.section, '')} {e.text}"
    assert words(by_section["Treatment"]) == words(" ".join(TREATMENT * 3))
    assert words(by_section["Side effects"]) == words(" ".join(SIDE_EFFECTS * 3))


_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300">'
    '<rect width="400" height="300" fill="#dde"/><circle cx="200" cy="150" r="90" fill="#a33"/>'
    "</svg>"
)


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    return err


def test_an_image_only_pdf_ends_in_one_line_and_exit_2(
    print_pdf: PrintPdf, capsys: pytest.CaptureFixture[str]
) -> None:
    image = base64.b64encode(_SVG.encode()).decode()
    markup = f'<html><body><img src="data:image/svg+xml;base64,{image}"></body></html>'
    pdf = print_pdf(markup, "scan")
    assert _import(str(pdf), "--into", "data") == 2
    err = _one_error_line(capsys)
    assert "scan.pdf" in err and "no text layer" in err and "OCR is not done" in err
    assert not Path("data").exists()


def test_a_pdf_of_blank_pages_written_by_pypdf_has_no_text_layer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.add_blank_page(612, 792)
    with (tmp_path / "blank.pdf").open("wb") as fh:
        writer.write(fh)
    assert _import(str(tmp_path / "blank.pdf"), "--into", "data") == 2
    assert "no text layer" in _one_error_line(capsys)


def test_an_encrypted_pdf_is_refused(
    print_pdf: PrintPdf, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = print_pdf(page("Secret", [("Treatment", TREATMENT)]), "plain")
    writer = PdfWriter(clone_from=plain)
    writer.encrypt(user_password="letmein", algorithm="AES-256")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as fh:
        writer.write(fh)
    assert _import(str(locked), "--into", "data") == 2
    assert "encrypted" in _one_error_line(capsys)
