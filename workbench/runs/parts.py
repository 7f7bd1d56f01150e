"""Which backend and judge a form's job uses, and where they call: `Endpoints`.

A form shows these fields filled in from the environment (`WORKBENCH_MODEL`,
`OPENAI_BASE_URL`, `WORKBENCH_JUDGE_MODEL`, `WORKBENCH_JUDGE_BASE_URL`), never the key:
the key stays in the environment and only `key_note` says whether one is set. A URL is
shown without any user name or password it holds; left as shown, the environment's own
URL (with them) is the one used.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.generation.backends import make_generator
from workbench.generation.base import Generator
from workbench.llm.settings import LLMSettings, public_url
from workbench.scoring.base import Judge
from workbench.scoring.judges import make_judge

__all__ = ["Endpoints", "key_note"]


def _env(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


@dataclass(frozen=True, slots=True)
class Endpoints:
    """The backend and the judge by name, with the model and endpoint each calls.

    Model and endpoint apply to the `openai` backend and the `ragas` judge only; empty
    fields fall back to the environment (the judge's to the generating model's). The
    call settings are the CLI's `--free`, `--concurrency`, `--timeout` (both models) and
    `--max-tokens` (the answers); None keeps the default.
    """

    backend: str = "offline"
    model: str = ""
    base_url: str = ""
    judge: str = "offline"
    judge_model: str = ""
    judge_base_url: str = ""
    free: bool = False
    concurrency: int | None = None
    timeout_s: float | None = None
    max_tokens: int | None = None

    def _calls(self) -> dict[str, Any]:
        """The call settings both models take (None: the environment's or the default)."""
        return {
            "free": True if self.free else None,
            "concurrency": self.concurrency,
            "timeout_s": self.timeout_s,
        }

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        backend: str = "offline",
        judge: str = "offline",
        model: str = "",
    ) -> Endpoints:
        """The fields as a form first shows them: `model` if given, else the environment's."""
        e = _env(env)
        return cls(
            backend=backend,
            model=model or e.get("WORKBENCH_MODEL", ""),
            base_url=public_url(e.get("OPENAI_BASE_URL", "")) or "",
            judge=judge,
            judge_model=e.get("WORKBENCH_JUDGE_MODEL", ""),
            judge_base_url=public_url(e.get("WORKBENCH_JUDGE_BASE_URL", "")) or "",
        )

    def generator_settings(self, env: Mapping[str, str] | None = None) -> LLMSettings:
        """The generating model's settings: these fields over the environment."""
        e = _env(env)
        return LLMSettings.from_env(
            e,
            model=self.model.strip() or None,
            base_url=_unless_shown(self.base_url, e.get("OPENAI_BASE_URL")),
            max_tokens=self.max_tokens,
            **self._calls(),
        )

    def judge_settings(self, env: Mapping[str, str] | None = None) -> LLMSettings:
        """The judge's settings: its fields, else the judge's variables, else the generator's."""
        e = _env(env)
        own_url = e.get("WORKBENCH_JUDGE_BASE_URL") or e.get("OPENAI_BASE_URL")
        return LLMSettings.from_env(
            e,
            judge=True,
            model=self.judge_model.strip() or self.model.strip() or None,
            base_url=_unless_shown(self.judge_base_url or self.base_url, own_url),
            **self._calls(),
        )

    def make_generator(self, cache_path: Path, env: Mapping[str, str] | None = None) -> Generator:
        """The backend, its call cache in the file `cache_path` (`Workspace.cache_path`)."""
        settings = self.generator_settings(env) if self.backend == "openai" else None
        return make_generator(self.backend, settings=settings, cache_path=cache_path)

    def make_judge(self, cache_path: Path, env: Mapping[str, str] | None = None) -> Judge:
        """The faithfulness judge, sharing the call cache in the file `cache_path`."""
        settings = self.judge_settings(env) if self.judge == "ragas" else None
        return make_judge(self.judge, settings=settings, cache_path=cache_path)


def _unless_shown(field: str, env_url: str | None) -> str | None:
    """The URL typed in the field; None (the environment's, credentials and all) when the
    field still shows the environment's URL, or is empty."""
    field = field.strip()
    if not field or (env_url and field == public_url(env_url)):
        return None
    return field


def key_note(env: Mapping[str, str] | None = None) -> str:
    """Whether an API key is set, and where from; never the key itself."""
    e = _env(env)
    generating = "set in OPENAI_API_KEY" if e.get("OPENAI_API_KEY") else "none set"
    judge = "; the judge's in WORKBENCH_JUDGE_API_KEY" if e.get("WORKBENCH_JUDGE_API_KEY") else ""
    local = "" if e.get("OPENAI_API_KEY") else " (a local server needs none)"
    return f"API key: {generating}{judge}{local}. Keys are read from the environment only."
