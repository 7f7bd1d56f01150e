"""The faithfulness judges by name: what `--judge` and the forms offer."""

from __future__ import annotations

import os
from pathlib import Path

from workbench.errors import ConfigError
from workbench.llm import LLMSettings, open_client
from workbench.scoring.base import Judge
from workbench.scoring.faithfulness import OfflineJudge

__all__ = ["JUDGES", "make_judge"]

JUDGES = ("offline", "ragas", "entailment")
MODEL_VARIABLE = "WORKBENCH_ENTAILMENT_MODEL"  # the entailment model when none is given


def make_judge(
    name: str,
    *,
    settings: LLMSettings | None = None,
    cache_path: Path | None = None,
    prices: Path | None = None,
    max_tokens: int | None = None,
    model: str | None = None,
    entailed_label: str | None = None,
) -> Judge:
    """The faithfulness judge called `name`. `ragas` takes `settings` (default: from the
    environment, `WORKBENCH_JUDGE_*` first), keeps its call cache in the file `cache_path`
    and prices its calls from the table at `prices` (default: the default data set
    folder's); `max_tokens` bounds each of its replies (default: ragas' own 1024).
    `entailment` runs the local model `model` (a folder or a Hugging Face id already in
    the cache; default `$WORKBENCH_ENTAILMENT_MODEL`), never downloading one."""
    if name == "offline":
        return OfflineJudge()
    if name == "entailment":
        from workbench.scoring.entailment import EntailmentJudge

        chosen = model or os.environ.get(MODEL_VARIABLE)
        if not chosen:
            raise ConfigError(
                f"the entailment judge needs a model: a folder or a cached Hugging Face id "
                f"in ${MODEL_VARIABLE} (see docs/faithfulness.md)"
            )
        return EntailmentJudge(chosen, entailed_label=entailed_label)  # the runner shows progress
    if max_tokens is not None and max_tokens < 1:
        raise ConfigError(f"--judge-max-tokens must be at least 1, not {max_tokens}")
    if name == "ragas":
        from workbench.scoring.ragas_judge import RagasJudge  # imports ragas: only when asked

        settings = settings or LLMSettings.from_env(judge=True)
        client = open_client(settings, cache_path=cache_path, prices=prices)
        return (
            RagasJudge(client) if max_tokens is None else RagasJudge(client, max_tokens=max_tokens)
        )
    raise ConfigError(f"unknown judge {name!r}; choose one of {', '.join(JUDGES)}")
