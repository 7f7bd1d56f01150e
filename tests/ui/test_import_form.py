"""The import form driven by clicks: documents in, summary shown; refusals as notices."""

from __future__ import annotations

from pathlib import Path

from workbench.data.datasets import load_excerpts
from workbench.ui import import_app

GUIDE = "# Care guide\n\n## Diet\n\nEating well helps the body heal during treatment.\n"


def test_the_form_imports_and_shows_what_it_added(tmp_path: Path) -> None:
    (tmp_path / "guide.md").write_text(GUIDE)
    app = import_app(tmp_path / "mine")
    app.view.paths.value = f"{tmp_path / 'guide.md'}\n"
    app.view.version.value = "2025.1"
    app.view.date.value = "2025-03-31"
    app.view.run.click()
    (excerpt,) = load_excerpts(tmp_path / "mine" / "excerpts")
    assert excerpt.section == "Diet" and excerpt.source_version == "2025.1"
    assert "1 added" in app.view.summary.value and excerpt.id in app.view.summary.value
    assert "notice-ok" in app.view.status.value and app.result is not None
    app.view.run.click()  # again: nothing changes
    assert "0 added, 0 changed, 1 unchanged" in app.view.summary.value


def test_the_form_says_why_nothing_was_imported(tmp_path: Path) -> None:
    (tmp_path / "scan.pdf").write_bytes(b"not a pdf at all")
    app = import_app(tmp_path / "mine")
    app.view.run.click()
    assert "notice-error" in app.view.status.value and "at least one" in app.view.status.value
    app.view.paths.value = str(tmp_path / "scan.pdf")
    app.view.run.click()
    assert "not a PDF" in app.view.status.value and not (tmp_path / "mine").exists()
    app.view.paths.value = str(tmp_path / "guide.md")
    app.view.date.value = "31/03/2025"
    app.view.run.click()
    assert "not like 2025-03-31" in app.view.status.value
