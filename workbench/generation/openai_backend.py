"""The `openai` backend: answers from any OpenAI-compatible endpoint.

OpenAI, Azure OpenAI (its `/openai/v1` base URL), vLLM, Ollama and the llama.cpp server
all speak the chat-completions protocol. The prompt template becomes a system message
(instructions) and a user message (the question and the excerpts as a delimited data
block: `workbench.llm.prompting`). Each answer records the usage, latency, the model
that served it, whether the cache served it, and its cost where the price table knows
the model; the settings recorded never include the key.
"""

from __future__ import annotations

from collections.abc import Sequence

from workbench.errors import EndpointError
from workbench.generation.base import Generation
from workbench.llm.calls import LLMClient
from workbench.llm.client import ChatReply, ChatRequest
from workbench.llm.estimate import PlannedCall
from workbench.llm.prompting import render_messages
from workbench.llm.sync import run_sync
from workbench.models import Excerpt, PromptTemplate, Question

__all__ = ["OpenAIBackend"]


class OpenAIBackend:
    """Generates through an `LLMClient`; both `Generator` and `AsyncGenerator`."""

    name = "openai"

    def __init__(self, client: LLMClient) -> None:
        self.client = client
        self.model = client.settings.model
        self.concurrency = client.settings.concurrency

    def __repr__(self) -> str:
        return f"OpenAIBackend({self.client!r})"

    def request_for(
        self, question: Question, excerpts: Sequence[Excerpt], prompt: PromptTemplate
    ) -> ChatRequest:
        """The exact request an answer to `question` sends (and is cached under)."""
        settings = self.client.settings
        return ChatRequest(
            model=settings.model,
            messages=render_messages(prompt, question, excerpts),
            temperature=settings.temperature,
            max_tokens=settings.max_tokens,
        )

    def plan(
        self, question: Question, excerpts: Sequence[Excerpt], prompt: PromptTemplate
    ) -> list[PlannedCall]:
        """The calls an answer will make, for the pre-flight estimate."""
        request = self.request_for(question, excerpts, prompt)
        return [PlannedCall(request, request.chars, self.client.settings.max_tokens)]

    async def agenerate(
        self, question: Question, excerpts: Sequence[Excerpt], prompt: PromptTemplate
    ) -> Generation:
        """One answer. An empty reply is an EndpointError (the batch records it, goes on)
        and is not cached: the next run asks again."""
        request = self.request_for(question, excerpts, prompt)
        reply = await self.client.complete(request, check=self._not_empty)
        self._not_empty(reply)
        settings = {
            **self.client.settings.public(),
            "served_by": reply.model,
            "finish_reason": reply.finish_reason,
            "cache": "hit" if reply.cached else "miss",
            "attempts": reply.attempts,
        }
        return Generation(
            text=reply.content,
            settings=settings,
            prompt_tokens=reply.prompt_tokens,
            completion_tokens=reply.completion_tokens,
            latency_s=reply.latency_s,
            cost_usd=self.client.cost(reply),
        )

    def _not_empty(self, reply: ChatReply) -> None:
        if not reply.content.strip():
            raise EndpointError(
                f"{self.client.settings.endpoint} ({self.model}): the model returned an empty "
                f"answer (finish reason {reply.finish_reason!r})"
            )

    def generate(
        self, question: Question, excerpts: Sequence[Excerpt], prompt: PromptTemplate
    ) -> Generation:
        """One answer, synchronously (not inside a running event loop: await `agenerate`)."""
        return run_sync(
            self.agenerate(question, excerpts, prompt), closing=self, instead="agenerate(...)"
        )

    async def aclose(self) -> None:
        """Close the endpoint connections."""
        await self.client.aclose()
