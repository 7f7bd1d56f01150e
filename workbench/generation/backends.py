"""The backends by name: what `--backend` and the forms offer, built from typed settings."""

from __future__ import annotations

from pathlib import Path

from workbench.errors import ConfigError
from workbench.generation.base import Generator
from workbench.generation.offline import OfflineComposer
from workbench.llm import LLMSettings, open_client

__all__ = ["BACKENDS", "make_generator"]

BACKENDS = ("offline", "openai")


def make_generator(
    name: str,
    *,
    settings: LLMSettings | None = None,
    cache_path: Path | None = None,
    prices: Path | None = None,
) -> Generator:
    """The backend called `name`. `openai` takes `settings` (default: from the environment),
    keeps its call cache in the file `cache_path` (`Workspace.cache_path`) and prices its
    calls from the table at `prices` (default: the default data set folder's)."""
    if name == "offline":
        return OfflineComposer()
    if name == "openai":
        from workbench.generation.openai_backend import OpenAIBackend

        settings = settings or LLMSettings.from_env()
        client = open_client(settings, cache_path=cache_path, prices=prices)
        return OpenAIBackend(client)
    raise ConfigError(f"unknown backend {name!r}; choose one of {', '.join(BACKENDS)}")
