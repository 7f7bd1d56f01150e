"""The notebooks are launchers: a header, a parameters cell, library calls, no outputs.

`make nbval` executes them (nbval, lax mode: any error fails, outputs are not compared,
since they hold times and ids).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
NAMES = [
    "01_generate_and_score.ipynb",
    "02_review.ipynb",
    "03_prompt_tuning.ipynb",
    "04_export.ipynb",
]
FORBIDDEN = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.For, ast.While, ast.With,
             ast.Lambda, ast.ListComp, ast.DictComp, ast.SetComp, ast.GeneratorExp)  # fmt: skip


def _cells(name: str) -> list[dict[str, Any]]:
    return list(json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))["cells"])


def test_the_four_notebooks_are_there() -> None:
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_stored_without_outputs_and_opening_with_who_it_is_for(name: str) -> None:
    cells = _cells(name)
    assert cells[0]["cell_type"] == "markdown"
    header = "".join(cells[0]["source"])
    assert header.startswith("# ") and "**For:**" in header and "**What for:**" in header
    for cell in cells:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


@pytest.mark.parametrize("name", NAMES)
def test_cells_only_call_the_library(name: str) -> None:
    code = [c for c in _cells(name) if c["cell_type"] == "code"]
    assert code[0]["metadata"].get("tags") == ["parameters"]
    assert sum("parameters" in c["metadata"].get("tags", []) for c in code) == 1
    for node in ast.parse("".join(code[0]["source"])).body:
        assert isinstance(node, ast.Assign), "the parameters cell only assigns values"
        ast.literal_eval(node.value)
    for cell in code[1:]:
        for node in ast.walk(ast.parse("".join(cell["source"]))):
            assert not isinstance(node, FORBIDDEN), f"{type(node).__name__} in a cell"
            if isinstance(node, ast.Import):
                pytest.fail("import only from workbench")
            if isinstance(node, ast.ImportFrom):
                assert (node.module or "").startswith("workbench")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in {"open", "exec", "eval", "print"}
