"""Reading YAML data files so that every error names the file, the line and the field.

The file is composed once into nodes (which know their lines) and loaded once into data;
a problem found later, by pydantic or by a compiler, is located by walking both.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from workbench.data.textfile import read_text
from workbench.errors import DatasetError

__all__ = ["Loc", "YamlFile", "read_yaml"]

Loc = tuple[str | int, ...]


class YamlFile:
    """A YAML file's data and node tree, for errors that point at lines."""

    def __init__(self, path: Path, data: Any, root: yaml.Node | None) -> None:
        self.path, self.data, self.root = path, data, root

    def locate(self, loc: Loc) -> tuple[int | None, list[str | int]]:
        """The line of the deepest node of `loc` that exists, and the keys that led there.

        `loc` may hold keys the data lacks (a missing field: its mapping's line) and, from
        pydantic, tags of tagged unions (skipped).
        """
        where: list[str | int] = []
        node, cur = self.root, self.data
        line = node.start_mark.line + 1 if node is not None else None
        for n, key in enumerate(loc):
            in_map = isinstance(cur, Mapping) and key in cur
            in_list = isinstance(cur, list) and isinstance(key, int) and 0 <= key < len(cur)
            if not (in_map or in_list):
                if isinstance(cur, Mapping) and n < len(loc) - 1:
                    continue  # a union tag in pydantic's path
                if isinstance(cur, Mapping):
                    where.append(key)  # a missing key: the line is the mapping's
                break
            cur = cur[key]
            where.append(key)
            node = _child(node, key)
            line = node.start_mark.line + 1 if node is not None else line
        return line, where

    def error(self, loc: Loc, message: str) -> DatasetError:
        """A DatasetError at `loc`, with its line and a dotted field name."""
        line, where = self.locate(loc)
        field = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in where).lstrip(".")
        return DatasetError(self.path, message, line=line, field=field or None)


def _child(node: yaml.Node | None, key: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        return next((v for k, v in node.value if getattr(k, "value", None) == key), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        return node.value[key]  # type: ignore[no-any-return]
    return None


def read_yaml(path: Path, what: str) -> YamlFile:
    """Read and parse a YAML file; unreadable or invalid YAML raises DatasetError."""
    text = read_text(path, what)
    try:
        return YamlFile(path, yaml.safe_load(text), yaml.compose(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        parts = [getattr(e, "context", None), getattr(e, "problem", None)]
        said = ": ".join(str(p) for p in parts if p) or str(e)
        where = f" (column {mark.column + 1})" if mark is not None else ""
        raise DatasetError(
            path, f"not valid YAML: {' '.join(said.split())}{where}", line=line
        ) from e
    except RecursionError as e:
        raise DatasetError(path, "not valid YAML: nested too deeply") from e
