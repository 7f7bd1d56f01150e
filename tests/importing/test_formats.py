"""HTML with boilerplate, DOCX made by python-docx, Markdown and plain text, by format."""

from __future__ import annotations

from pathlib import Path

import docx

from tests.importing.conftest import words
from workbench.importing import import_documents

ARTICLE = [
    ("Surgery", [
        "Surgery may be used when the cancer has not spread beyond the lung. The surgeon "
        "removes the tumor along with some nearby lymph nodes.",
        "Recovery after lung surgery usually takes several weeks.",
    ]),
    ("Radiation therapy", [
        "Radiation therapy uses high-energy x-rays to kill cancer cells. It may be given "
        "after surgery or instead of surgery.",
    ]),
]  # fmt: skip

BOILERPLATE = ["Home", "About us", "Donate today", "Copyright 2026", "Privacy policy",
               "Sign up for our newsletter", "Accept cookies"]  # fmt: skip


def _html_page() -> str:
    nav = "".join(f'<li><a href="/{w}">{w}</a></li>' for w in BOILERPLATE[:3])
    body = "".join(f"<h2>{h}</h2>" + "".join(f"<p>{p}</p>" for p in ps) for h, ps in ARTICLE)
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>Lung cancer treatment | '
        'Example Health</title><link rel="canonical" href="https://example.org/lung"></head>'
        f"<body><header><nav><ul>{nav}</ul></nav></header>"
        '<div class="cookie-banner">Accept cookies</div>'
        f"<main><article><h1>Lung cancer treatment</h1>{body}</article></main>"
        '<aside class="sidebar"><h3>Newsletter</h3><p>Sign up for our newsletter</p></aside>'
        "<footer><p>Copyright 2026 Example Health. All rights reserved.</p>"
        '<p><a href="/privacy">Privacy policy</a></p></footer></body></html>'
    )


def test_html_keeps_the_article_and_drops_navigation_and_footer(tmp_path: Path) -> None:
    page = tmp_path / "lung.html"
    page.write_text(_html_page(), encoding="utf-8")
    result = import_documents([page], tmp_path / "data")
    by_section = {e.section: e for e in result.excerpts}
    assert sorted(by_section) == ["Radiation therapy", "Surgery"]
    for heading, paragraphs in ARTICLE:
        assert words(by_section[heading].text) == words(" ".join(paragraphs))
    everything = " ".join(e.text for e in result.excerpts)
    for noise in BOILERPLATE:
        assert noise not in everything
    assert {e.link for e in result.excerpts} == {"https://example.org/lung"}  # canonical URL


def test_docx_headings_lists_and_tables(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_heading("Melanoma guide", 0)
    d.add_heading("Diagnosis", 1)
    d.add_paragraph("A biopsy is the only sure way to know whether a mole is melanoma.")
    d.add_heading("Treatment", 1)
    d.add_heading("Surgery", 2)
    d.add_paragraph("Surgery removes the melanoma with a margin of normal skin.")
    d.add_paragraph("Wide local excision", style="List Bullet")
    d.add_paragraph("Sentinel lymph node biopsy", style="List Bullet")
    table = d.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "Stage", (0, 1): "Usual treatment",
                         (1, 0): "Stage 0", (1, 1): "Surgery"}.items():  # fmt: skip
        table.cell(r, c).text = text
    d.save(str(tmp_path / "melanoma.docx"))
    result = import_documents([tmp_path / "melanoma.docx"], tmp_path / "data", license="CC BY 4.0")
    by_section = {e.section: e for e in result.excerpts}
    assert sorted(by_section) == ["Diagnosis", "Treatment > Surgery"]
    surgery = by_section["Treatment > Surgery"].text
    assert "- Wide local excision\n- Sentinel lymph node biopsy" in surgery
    assert "Stage | Usual treatment\nStage 0 | Surgery" in surgery
    assert {e.source_title for e in result.excerpts} == {"Melanoma guide"}  # the Title style
    assert {e.license for e in result.excerpts} == {"CC BY 4.0"}


MARKDOWN = """---
title: Colon cancer basics
---

# Colon cancer basics

Intro text that comes before any section, long enough to keep.

## Screening

Screening finds **polyps** before they turn into cancer. See [the guide](https://x.org).

```
## not a heading inside code
```

Treatment
---------

1. Surgery is the main treatment.
2. Chemotherapy may follow.
"""


def test_markdown_headings_setext_code_and_front_matter(tmp_path: Path) -> None:
    (tmp_path / "colon.md").write_text(MARKDOWN, encoding="utf-8")
    result = import_documents([tmp_path / "colon.md"])
    sections = [e.section for e in result.excerpts]
    assert sections == ["Colon cancer basics", "Screening", "Treatment"]
    screening = result.excerpts[1].text
    assert "Screening finds polyps before they turn into cancer. See the guide." in screening
    assert "## not a heading inside code" in screening
    assert (
        result.excerpts[2].text == "1. Surgery is the main treatment.\n2. Chemotherapy may follow."
    )
    assert result.documents[0].file is None  # no folder given: nothing written


PLAIN = """PROSTATE CANCER: A GUIDE

1 Diagnosis

A PSA blood test and a biopsy are used to find prostate cancer.

1.1 Gleason score

The Gleason score tells how fast the cancer is likely to grow.

What happens next?

Your care team talks with you about the choices,
which may include active surveillance.
"""


def test_plain_text_headings_by_numbering_capitals_and_short_lines(tmp_path: Path) -> None:
    (tmp_path / "prostate.txt").write_text(PLAIN, encoding="utf-8")
    result = import_documents([tmp_path / "prostate.txt"], cancer_type="prostate")
    assert [e.section for e in result.excerpts] == [
        "1 Diagnosis",
        "1 Diagnosis > 1.1 Gleason score",
        "1 Diagnosis > What happens next?",
    ]
    assert result.excerpts[-1].text.endswith("which may include active surveillance.")
    assert {e.source_title for e in result.excerpts} == {"PROSTATE CANCER: A GUIDE"}
    assert {e.cancer_type for e in result.excerpts} == {"prostate"}
