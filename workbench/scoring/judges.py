"""The faithfulness judges by name: what `--judge` and the forms offer."""

from __future__ import annotations

from pathlib import Path

from workbench.errors import ConfigError
from workbench.llm import LLMSettings, open_client
from workbench.scoring.base import Judge
from workbench.scoring.faithfulness import OfflineJudge

__all__ = ["JUDGES", "make_judge"]

JUDGES = ("offline", "ragas")


def make_judge(
    name: str, *, settings: LLMSettings | None = None, cache_path: Path | None = None
) -> Judge:
    """The faithfulness judge called `name`. `ragas` takes `settings` (default: from the
    environment, `WORKBENCH_JUDGE_*` first) and keeps its call cache in the file `cache_path`."""
    if name == "offline":
        return OfflineJudge()
    if name == "ragas":
        from workbench.scoring.ragas_judge import RagasJudge  # imports ragas: only when asked

        client = open_client(settings or LLMSettings.from_env(judge=True), cache_path=cache_path)
        return RagasJudge(client)
    raise ConfigError(f"unknown judge {name!r}; choose one of {', '.join(JUDGES)}")
