"""What the faces name from the layers below `runs`: the backends and judges a user may
choose, the settings and records their options and results carry, the store's type.

The CLI and the forms import these from here, never from `store`, `llm`, `generation` or
`scoring` themselves (`make check` holds that line), so every use case keeps one way in.
"""

from __future__ import annotations

from workbench.generation.backends import BACKENDS
from workbench.llm.calls import CallStats
from workbench.llm.estimate import Estimate, check_budget
from workbench.llm.settings import LLMSettings
from workbench.llm.sync import run_sync
from workbench.scoring.judges import JUDGES
from workbench.store import Store, StoreLocation
from workbench.store.decision_log import Anchor, ChainCheck
from workbench.store.keys import KEY_ENV, KEY_FILE_ENV, config_key_file, key_places

__all__ = [
    "BACKENDS",
    "JUDGES",
    "KEY_ENV",
    "KEY_FILE_ENV",
    "Anchor",
    "CallStats",
    "ChainCheck",
    "Estimate",
    "LLMSettings",
    "Store",
    "StoreLocation",
    "check_budget",
    "config_key_file",
    "key_places",
    "run_sync",
]
