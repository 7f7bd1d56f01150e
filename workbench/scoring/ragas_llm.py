"""ragas' LLM interface over the workbench's LLM client: same requests, our plumbing.

`WorkbenchRagasLLM` is an `InstructorBaseRagasLLM`, so any ragas collections metric
(`Faithfulness` included) can use it, and it sends exactly what ragas' own `llm_factory`
LLM sends for OpenAI (instructor's JSON mode: the schema in a system message,
`response_format: json_object`, ragas' default temperature, top_p and max_tokens). The
calls go through `LLMClient`, so they are cached, retried, bounded and counted like the
generating calls. A reply that is empty, cut off, not JSON or not of the expected shape
raises `EndpointError` saying which, for the judge to record as "judge failed".
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from textwrap import dedent
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from ragas.llms.base import InstructorBaseRagasLLM

from workbench.errors import EndpointError
from workbench.llm.calls import LLMClient
from workbench.llm.client import ChatReply, ChatRequest

__all__ = [
    "RAGAS_MAX_TOKENS",
    "WorkbenchRagasLLM",
    "json_mode_system_message",
    "parse_reply",
]

M = TypeVar("M", bound=BaseModel)

# ragas reads this when it would send usage analytics: none leave a clinic unless asked.
os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")

# ragas' InstructorModelArgs defaults: what its own LLM sends with every call.
RAGAS_TEMPERATURE, RAGAS_TOP_P, RAGAS_MAX_TOKENS = 0.01, 0.1, 1024
_FENCE_RE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)


@lru_cache(maxsize=64)
def json_mode_system_message(response_model: type[BaseModel]) -> str:
    """The system message instructor's JSON mode adds for `response_model` (verbatim)."""
    schema = response_model.model_json_schema()
    return dedent(
        f"""
            As a genius expert, your task is to understand the content and provide
            the parsed objects in json that match the following json_schema:\n

            {json.dumps(schema, indent=2, ensure_ascii=False)}

            Make sure to return an instance of the JSON, not the schema itself
            """
    )


def _quote(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return "\u201c" + (flat[:limit] + "\u2026" if len(flat) > limit else flat) + "\u201d"


def parse_reply(reply: ChatReply, response_model: type[M], max_tokens: int) -> M:
    """The reply as `response_model`, or EndpointError saying what was wrong with it."""
    if reply.finish_reason == "length":
        raise EndpointError(f"the judge's reply was cut off at max_tokens ({max_tokens})")
    text = reply.content.strip()
    if not text:
        raise EndpointError("the judge returned an empty reply")
    fenced = _FENCE_RE.match(text)
    text = fenced.group(1) if fenced else text
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise EndpointError(f"the judge did not reply in JSON (it said {_quote(text)})") from None
    try:
        return response_model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the reply"
        raise EndpointError(
            f"the judge's JSON is not a {response_model.__name__}: {where}: {first['msg']}"
        ) from None


class WorkbenchRagasLLM(InstructorBaseRagasLLM):
    """An `InstructorBaseRagasLLM` whose calls go through an `LLMClient`."""

    def __init__(
        self, client: LLMClient, *, max_tokens: int = RAGAS_MAX_TOKENS, repeat: int = 0
    ) -> None:
        self.client = client
        self.model = client.settings.model
        self.max_tokens = max_tokens  # ragas' 1024 unless a slow local judge needs less
        self.repeat = repeat  # `score --repeat`: which asking this is (its own cache key)

    def __repr__(self) -> str:
        return f"WorkbenchRagasLLM({self.client!r})"

    def request(self, prompt: str, response_model: type[BaseModel]) -> ChatRequest:
        """The request ragas' own OpenAI LLM would send for this prompt and model."""
        return ChatRequest(
            model=self.model,
            messages=(
                ("system", json_mode_system_message(response_model)),
                ("user", prompt),
            ),
            temperature=RAGAS_TEMPERATURE,
            top_p=RAGAS_TOP_P,
            max_tokens=self.max_tokens,
            json_mode=True,
            repeat=self.repeat,
        )

    async def agenerate(self, prompt: str, response_model: type[M]) -> M:
        """The parsed reply to `prompt`; EndpointError if the call or the reply failed."""

        def check(reply: ChatReply) -> object:
            return parse_reply(reply, response_model, self.max_tokens)

        reply = await self.client.complete(self.request(prompt, response_model), check=check)
        return parse_reply(reply, response_model, self.max_tokens)

    def generate(self, prompt: str, response_model: type[M]) -> M:
        """Not offered: the workbench calls ragas through `agenerate` only."""
        raise TypeError("WorkbenchRagasLLM is async only: await agenerate(...)")
