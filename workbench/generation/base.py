"""The generator seam: what every backend (offline, OpenAI-compatible, a test fake) provides.

`Generator` is synchronous; a backend that calls a remote model also provides
`AsyncGenerator`, so a batch can keep many calls in flight (`workbench.runs.batch`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from workbench.models import Excerpt, PromptTemplate, Question

__all__ = ["AsyncGenerator", "Generation", "Generator"]


@dataclass(frozen=True, slots=True)
class Generation:
    """What a backend returns for one question: the text and what it cost."""

    text: str
    settings: dict[str, Any] = field(default_factory=dict)
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_s: float | None = None
    cost_usd: float | None = None


class Generator(Protocol):
    """Writes an answer to a question from the retrieved excerpts under a prompt template."""

    name: str
    model: str

    def generate(
        self, question: Question, excerpts: Sequence[Excerpt], prompt: PromptTemplate
    ) -> Generation:
        """One answer. Excerpts are in retrieval order, best first."""
        ...


class AsyncGenerator(Protocol):
    """A generator whose answers can be awaited, many at once; it closes its connections."""

    name: str
    model: str

    async def agenerate(
        self, question: Question, excerpts: Sequence[Excerpt], prompt: PromptTemplate
    ) -> Generation:
        """One answer, awaited. Excerpts are in retrieval order, best first."""
        ...

    async def aclose(self) -> None:
        """Release the connections it holds (it reopens them if used again)."""
        ...
