"""The seam to an OpenAI-compatible endpoint: a request, a reply, and the transport.

`ChatTransport` is the one protocol the rest of the LLM path calls; `OpenAITransport` is
its real adapter over the official `openai` client (async), and tests run it against a
loopback server. The transport makes exactly one HTTP call per `send` (the client's own
retries are off): retries, backoff, concurrency and the cache live in `workbench.llm.calls`.
A failure is an `EndpointError`; `TransientError` marks the ones worth retrying (429, 5xx,
timeouts, dropped connections) and carries the server's Retry-After, if any.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from workbench.errors import EndpointError
from workbench.llm.settings import LLMSettings

if TYPE_CHECKING:
    from openai import AsyncOpenAI

__all__ = ["ChatReply", "ChatRequest", "ChatTransport", "OpenAITransport", "TransientError"]

_RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """A whole chat-completions request: what is sent, and so what the cache is keyed by."""

    model: str
    messages: tuple[tuple[str, str], ...]  # (role, content)
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    json_mode: bool = False
    # The same request asked again (`score --repeat`): not sent, only keyed, so each
    # repeat has its own cache entry and repeat 0 keeps the key it always had.
    repeat: int = 0

    def payload(self) -> dict[str, Any]:
        """The request body's fields, as the `openai` client takes them."""
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": r, "content": c} for r, c in self.messages],
        }
        for name in ("temperature", "top_p", "max_tokens"):
            if getattr(self, name) is not None:
                body[name] = getattr(self, name)
        if self.json_mode:
            body["response_format"] = {"type": "json_object"}
        return body

    def cache_key(self, endpoint: str) -> str:
        """SHA-256 of the endpoint and the whole request, canonically serialised."""
        keyed: dict[str, Any] = {"endpoint": endpoint, **self.payload()}
        if self.repeat:
            keyed["repeat"] = self.repeat
        canonical = json.dumps(keyed, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @property
    def chars(self) -> int:
        """Characters in the messages (for the pre-flight token estimate)."""
        return sum(len(c) for _, c in self.messages)


@dataclass(frozen=True, slots=True)
class ChatReply:
    """What came back: the text, the usage and the model that served it."""

    content: str
    model: str
    prompt_tokens: int | None
    completion_tokens: int | None
    finish_reason: str | None
    latency_s: float
    cached: bool = False
    attempts: int = 1


class TransientError(EndpointError):
    """A failure worth retrying; `retry_after` is the server's hint in seconds, if any.

    `overloaded` names a timeout or a dropped connection ("timeouts", "dropped
    connections"): what a server that queues more requests than it can serve does, and a
    reason to send fewer at once. A refused connection (nothing listening) is not one.
    """

    def __init__(
        self, message: str, *, retry_after: float | None = None, overloaded: str | None = None
    ) -> None:
        super().__init__(message, retryable=True)
        self.retry_after = retry_after
        self.overloaded = overloaded


class ChatTransport(Protocol):
    """Sends one chat-completions request and returns its reply, or raises EndpointError."""

    endpoint: str

    async def send(self, request: ChatRequest) -> ChatReply:
        """One HTTP call, no retries."""
        ...

    async def aclose(self) -> None:
        """Release connections (the transport opens new ones if used again)."""
        ...


def _retry_after(headers: Any) -> float | None:
    """Seconds from `retry-after-ms` or `Retry-After` (seconds; an HTTP date is ignored)."""
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name) if headers is not None else None
        if value:
            try:
                return max(0.0, float(value) / scale)
            except ValueError:
                continue
    return None


class OpenAITransport:
    """`ChatTransport` over the official async `openai` client, one client per event loop."""

    def __init__(self, settings: LLMSettings) -> None:
        import openai  # noqa: F401 - loaded now (half a second), not mid-batch

        self.settings = settings
        self.endpoint = settings.endpoint
        self._client: AsyncOpenAI | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        return f"OpenAITransport({self.endpoint!r}, model={self.settings.model!r})"

    def _client_here(self) -> AsyncOpenAI:
        import openai  # imported on first use: nothing builds a client at import time

        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            key = self.settings.api_key.reveal() if self.settings.api_key else None
            self._client = openai.AsyncOpenAI(
                api_key=key,
                base_url=self.settings.base_url,
                timeout=self.settings.timeout_s,
                max_retries=0,
            )
            self._loop = loop
        return self._client

    async def aclose(self) -> None:
        if self._client is not None and self._loop is asyncio.get_running_loop():
            await self._client.close()
        self._client, self._loop = None, None

    async def send(self, request: ChatRequest) -> ChatReply:
        import openai

        client = self._client_here()
        where = f"{self.endpoint} ({request.model})"
        started = time.perf_counter()
        try:
            # `post` is the client's documented way to send a body as is, and `object`
            # takes the reply's JSON as is: `create` would re-type the body and build a
            # pydantic model of the reply first (0.6 ms a call, for plain strings).
            body = await client.post("/chat/completions", body=request.payload(), cast_to=object)
        except openai.APITimeoutError as exc:
            raise TransientError(
                f"{where}: no reply within {self.settings.timeout_s:g} s", overloaded="timeouts"
            ) from exc
        except openai.APIConnectionError as exc:
            if _refused(exc):
                raise TransientError(
                    f"{where}: connection refused (is the server running?)"
                ) from exc
            raise TransientError(
                f"{where}: connection failed ({exc})", overloaded="dropped connections"
            ) from exc
        except openai.APIStatusError as exc:
            message = f"{where}: HTTP {exc.status_code}: {exc.message}"
            if exc.status_code in _RETRYABLE_STATUS or exc.status_code >= 500:
                raise TransientError(
                    message, retry_after=_retry_after(exc.response.headers)
                ) from exc
            hint = " (check OPENAI_API_KEY)" if exc.status_code in (401, 403) else ""
            raise EndpointError(message + hint) from exc
        except openai.OpenAIError as exc:
            raise EndpointError(f"{where}: unusable reply ({exc})") from exc
        return _reply(body, request, where, time.perf_counter() - started)

    async def embed(self, model: str, texts: Sequence[str]) -> list[list[float]]:
        """The endpoint's embeddings of `texts` (`POST /embeddings`), in order; an
        endpoint without them, or any failure, is an `EndpointError` saying so."""
        import openai

        where = f"{self.endpoint} (embeddings, {model})"
        try:
            body = await self._client_here().post(
                "/embeddings", body={"model": model, "input": list(texts)}, cast_to=object
            )
        except openai.APIStatusError as exc:
            raise EndpointError(f"{where}: HTTP {exc.status_code}: {exc.message}") from exc
        except openai.OpenAIError as exc:
            raise EndpointError(f"{where}: {exc}") from exc
        try:
            rows = sorted(body["data"], key=lambda d: d["index"])  # type: ignore[index]
            vectors = [[float(x) for x in d["embedding"]] for d in rows]
        except (KeyError, TypeError, ValueError) as exc:
            raise EndpointError(f"{where}: not an embeddings reply ({exc!r})") from exc
        if len(vectors) != len(texts):
            raise EndpointError(f"{where}: {len(vectors)} embeddings for {len(texts)} texts")
        return vectors


def _refused(exc: BaseException) -> bool:
    """Whether a connection error was a refusal (nothing listening), not a drop."""
    seen: BaseException | None = exc
    for _ in range(16):  # a chain is short; a cycle must not hang the batch
        if seen is None:
            return False
        if isinstance(seen, ConnectionRefusedError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _reply(body: object, request: ChatRequest, where: str, latency: float) -> ChatReply:
    """A chat completion's JSON as a ChatReply; EndpointError if it is not one."""
    choices = body.get("choices") if isinstance(body, dict) else None
    choice = choices[0] if isinstance(choices, list) and choices else None
    message = choice.get("message") if isinstance(choice, dict) else None
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(body, dict) or not isinstance(choice, dict) or not isinstance(message, dict):
        raise EndpointError(f"{where}: the reply is not a chat completion")
    if content is not None and not isinstance(content, str):
        raise EndpointError(f"{where}: the reply's content is not text")
    raw_usage = body.get("usage")
    usage: dict[str, Any] = raw_usage if isinstance(raw_usage, dict) else {}
    return ChatReply(
        content=content or "",
        model=str(body.get("model") or request.model),
        prompt_tokens=usage.get("prompt_tokens"),
        completion_tokens=usage.get("completion_tokens"),
        finish_reason=choice.get("finish_reason"),
        latency_s=latency,
    )
