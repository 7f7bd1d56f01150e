"""Files that used to break the import quietly or loudly: a Word file whose content-type
part is not XML, and a web page whose main text sits below a very deep nest of elements."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest

from tests.importing.conftest import words
from tests.oneline import one_line
from workbench.cli.main import main
from workbench.importing import import_documents

INTRO = "An introduction to colon cancer care that is long enough to be kept as main text."
MAIN = "Surgery is the main treatment for colon cancer that has not spread beyond the colon."


def test_a_docx_with_a_broken_content_types_part_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    made = docx.Document()
    made.add_paragraph("Chemotherapy may be given before surgery.")
    made.save(str(tmp_path / "good.docx"))
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(tmp_path / "good.docx") as src, zipfile.ZipFile(broken, "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data[: len(data) // 2]  # cut mid-attribute: not well-formed XML
            out.writestr(info, data)
    assert main(["import", str(broken), "--into", "data"]) == 2
    err = one_line(capsys)
    assert "broken.docx" in err and "[Content_Types].xml" in err
    assert not Path("data").exists()


def _deep_page(depth: int) -> str:
    nest = "<div>" * depth + "<span>a note in a nest</span>" + "</div>" * depth
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>Colon cancer</title></head>'
        f"<body><main><article><h1>Colon cancer</h1><p>{INTRO}</p>{nest}<p>{MAIN}</p>"
        "</article></main></body></html>"
    )


@pytest.mark.parametrize("depth", [300, 3000])
def test_text_after_a_very_deep_nest_is_reached(tmp_path: Path, depth: int) -> None:
    page = tmp_path / "deep.html"
    page.write_text(_deep_page(depth), encoding="utf-8")
    result = import_documents([page], tmp_path / "data")
    everything = words(" ".join(e.text for e in result.excerpts))
    assert INTRO in everything and MAIN in everything


def test_text_the_parser_cannot_reach_is_reported_not_dropped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a nest of list items (not plain containers, so it is kept as it is) deeper than
    # the HTML parser goes: the text after it cannot be reached, and the import says so
    nest = "<ul><li>" * 400 + "item" + "</li></ul>" * 400
    page = tmp_path / "lists.html"
    page.write_text(
        f"<html><head><title>Lists</title></head><body><p>{INTRO}</p>{nest}<p>{MAIN}</p>"
        "</body></html>",
        encoding="utf-8",
    )
    assert main(["import", str(page), "--into", "data"]) == 2
    err = one_line(capsys)
    assert "lists.html" in err and "could not be reached" in err
    assert not Path("data").exists()
