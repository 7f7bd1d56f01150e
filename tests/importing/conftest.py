"""Real files made by real tools: PDFs printed by headless Chromium, DOCX by python-docx.

Chromium prints with its default header and footer (date, title, URL, page number), as a
user's browser would, so the tests also see running heads being dropped. Without
/usr/bin/chromium the PDF tests fail (never skip), naming the package to install.
"""

from __future__ import annotations

import html
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from tests.chromium import ARGS, CHROMIUM, require_chromium

PrintPdf = Callable[[str, str], Path]


def page(title: str, sections: Sequence[tuple[str, Sequence[str]]], *, h1: str = "",
         style: str = "") -> str:  # fmt: skip
    """An HTML page: an optional H1, then an H2 and its paragraphs per section."""
    body = [f"<h1>{html.escape(h1)}</h1>"] if h1 else []
    for heading, paragraphs in sections:
        body.append(f"<h2>{html.escape(heading)}</h2>")
        body += [f"<p>{html.escape(p)}</p>" for p in paragraphs]
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{style}</style></head><body>{''.join(body)}</body></html>"
    )


@pytest.fixture
def print_pdf(tmp_path: Path) -> PrintPdf:
    """Write an HTML page and print it to PDF with headless Chromium; returns the PDF."""
    require_chromium()

    def _print(markup: str, name: str) -> Path:
        source = tmp_path / "pages" / f"{name}.html"
        source.parent.mkdir(exist_ok=True)
        source.write_text(markup, encoding="utf-8")
        out = tmp_path / "pdf" / f"{name}.pdf"
        out.parent.mkdir(exist_ok=True)
        profile = tmp_path / "chromium-profile"
        subprocess.run(
            [
                str(CHROMIUM),
                *ARGS,
                f"--user-data-dir={profile}",
                f"--print-to-pdf={out}",
                source.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        assert out.read_bytes().startswith(b"%PDF")
        return out

    return _print


def words(text: str) -> str:
    """Text with white space made uniform, for comparing page text with excerpt text."""
    return " ".join(text.split())
