"""`workbench import` keeps tables as tables from PDF (printed by Chromium), HTML and DOCX
(made by python-docx): a line per row, cells parted by ` | `, the header row neither a
section heading nor run together with the rows; and the judge reads the imported rows."""

from __future__ import annotations

import html
from pathlib import Path

import docx

from tests.importing.conftest import PrintPdf
from workbench import judge_claims
from workbench.importing import import_documents
from workbench.models import Excerpt, Verdict

HEADER = ("Stage at diagnosis", "Five-year relative survival")
ROWS = [("Localized", "91%"), ("Regional", "73%"), ("Distant", "13%")]
INTRO = "The table gives five-year relative survival for colon cancer by stage at diagnosis."
AFTER = "Survival depends on many factors besides the stage."
EXPECTED = "\n".join(" | ".join(r) for r in [HEADER, *ROWS])


def _page() -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in HEADER)
    body = "".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in ROWS)
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>Colon cancer survival</title>'
        "</head><body><main><h1>Colon cancer survival</h1><h2>Survival by stage</h2>"
        f"<p>{INTRO}</p><table border='1'><thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
        f"</table><p>{AFTER}</p></main></body></html>"
    )


def _check(excerpts: tuple[Excerpt, ...]) -> None:
    (excerpt,) = [e for e in excerpts if "Localized" in e.text]
    assert EXPECTED in excerpt.text, excerpt.text
    assert excerpt.section.endswith("Survival by stage"), excerpt.section
    assert all(HEADER[0] not in e.section for e in excerpts)
    right, wrong = judge_claims(
        [
            "About 73% of people with regional colon cancer are alive five years after diagnosis.",
            "About 91% of people with regional colon cancer are alive five years after diagnosis.",
        ],
        [excerpt.text],
    )
    assert right.verdict is Verdict.SUPPORTED, right
    assert wrong.verdict is Verdict.CONTRADICTED, wrong


def test_a_table_printed_to_pdf_by_chromium_stays_a_table(
    tmp_path: Path, print_pdf: PrintPdf
) -> None:
    pdf = print_pdf(_page(), "survival")
    _check(import_documents([pdf], tmp_path / "data").excerpts)


def test_an_html_table_stays_a_table(tmp_path: Path) -> None:
    page = tmp_path / "survival.html"
    page.write_text(_page(), encoding="utf-8")
    _check(import_documents([page], tmp_path / "data").excerpts)


def test_a_docx_table_stays_a_table(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_heading("Colon cancer survival", 0)
    d.add_heading("Survival by stage", 1)
    d.add_paragraph(INTRO)
    table = d.add_table(rows=len(ROWS) + 1, cols=2)
    for r, row in enumerate([HEADER, *ROWS]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    d.add_paragraph(AFTER)
    d.save(str(tmp_path / "survival.docx"))
    _check(import_documents([tmp_path / "survival.docx"], tmp_path / "data").excerpts)
