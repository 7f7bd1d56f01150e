"""Where the notebooks' stores and outputs are, when a notebook does not say.

A notebook's kernel runs in `notebooks/`, the CLI in the project folder: both find the
same `workbench.db`. `workbench review --store` and the notebook tests say where with
environment variables, which the kernels they start inherit.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["STORE_ENV", "output_dir", "project_dir", "store_path"]

STORE_ENV = "WORKBENCH_STORE"  # the store the notebooks use when they name none
OUTPUT_ENV = "WORKBENCH_OUTPUT"  # the folder their outputs go to when they name none


def project_dir() -> Path:
    """The project folder: the current one, or its parent when running in `notebooks/`."""
    here = Path.cwd()
    return here.parent if here.name == "notebooks" else here


def store_path(store: str | Path | None = None) -> Path:
    """`store` if given, else `$WORKBENCH_STORE`, else `workbench.db` in the project folder."""
    if store is not None:
        return Path(store)
    env = os.environ.get(STORE_ENV, "").strip()
    return Path(env) if env else project_dir() / "workbench.db"


def output_dir(out: str | Path | None, name: str) -> Path:
    """`out` if given, else `$WORKBENCH_OUTPUT/name`, else `reports/name` in the project."""
    if out is not None:
        return Path(out)
    env = os.environ.get(OUTPUT_ENV, "").strip()
    return Path(env) / name if env else project_dir() / "reports" / name
