"""The public API: every error class is exported, and docstrings name modules that exist."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import workbench
import workbench.errors

_DOTTED = re.compile(r"`(workbench(?:\.[a-z_][a-z0-9_]*)+)")
_FILE_NAMES = {"workbench.db"}  # the default store's file name, not a module


def test_every_error_class_is_exported_at_the_top() -> None:
    errors = {
        name
        for name, obj in vars(workbench.errors).items()
        if inspect.isclass(obj) and issubclass(obj, workbench.WorkbenchError)
    }
    assert errors == set(workbench.errors.__all__)
    assert errors <= set(workbench.__all__)
    for name in errors:
        assert getattr(workbench, name) is getattr(workbench.errors, name)


def test_the_error_tree_in_the_docstring_names_every_error() -> None:
    doc = workbench.errors.__doc__ or ""
    drawn = set(re.findall(r"\b([A-Z][A-Za-z]+Error)\b", doc))
    assert drawn == set(workbench.errors.__all__)


def _resolves(dotted: str) -> bool:
    """Whether `dotted` is a module, or an attribute of one (a function, a class)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            if not hasattr(obj, name):
                return False
            obj = getattr(obj, name)
        return True
    return False


def test_dotted_workbench_names_in_docstrings_and_comments_resolve() -> None:
    package = Path(workbench.__file__).parent
    missing: list[str] = []
    for info in pkgutil.walk_packages([str(package)], prefix="workbench."):
        module = importlib.import_module(info.name)
        source = Path(module.__file__ or "").read_text(encoding="utf-8")
        missing += [
            f"{info.name}: {name}"
            for name in sorted(set(_DOTTED.findall(source)))
            if name not in _FILE_NAMES and not _resolves(name)
        ]
    assert missing == []
