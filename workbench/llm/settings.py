"""Settings of an LLM endpoint: from the standard variables, overridable per run.

`OPENAI_BASE_URL`, `OPENAI_API_KEY` and `WORKBENCH_MODEL` configure the generating
model; `WORKBENCH_JUDGE_MODEL`, `WORKBENCH_JUDGE_BASE_URL` and `WORKBENCH_JUDGE_API_KEY`
a judge that differs from it (each falls back to the generating one's). The key is held
in a `Secret`, whose repr and str never show it, and `public()` (what answers, runs and
reports record) leaves it out, as well as any user name or password in the URL.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from workbench.errors import ConfigError

__all__ = ["DEFAULT_CONCURRENCY", "LLMSettings", "Secret", "public_url"]

DEFAULT_CONCURRENCY = 8  # hosted APIs start rate-limiting a new account around here
PLACEHOLDER_KEY = "not-needed"  # local servers (Ollama, llama.cpp, vLLM) take any key


class Secret:
    """A string that stays out of repr, str, f-strings and logs; `reveal()` gives it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself, for the one place that must send it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    def __str__(self) -> str:
        return "**********"

    def __format__(self, spec: str) -> str:
        return str(self)

    def __reduce__(self) -> Any:
        raise TypeError("a Secret cannot be pickled or copied into a file")


def public_url(url: str | None) -> str | None:
    """The URL without any user name, password, query or fragment."""
    if not url:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


@dataclass(frozen=True, slots=True)
class LLMSettings:
    """One endpoint and model, and how to call it.

    `base_url` None means the official OpenAI API. `max_retries` bounds the retries of a
    call that met a 429, a 5xx or a timeout; `concurrency` bounds the calls in flight.
    `use_cache` False skips reading the call cache (fresh replies still refresh it).
    `free` says the endpoint costs nothing (a local server): its calls cost $0 whatever
    the price table says, and the pre-flight's `--max-cost` passes.
    """

    model: str
    base_url: str | None = None
    api_key: Secret | None = field(default=None, repr=False, compare=False)
    timeout_s: float = 60.0
    max_retries: int = 4
    concurrency: int = DEFAULT_CONCURRENCY
    temperature: float = 0.0
    max_tokens: int = 1200
    use_cache: bool = True
    free: bool = False

    def __post_init__(self) -> None:
        if not self.model.strip():
            raise ConfigError("no model name: set WORKBENCH_MODEL or pass --model")
        if self.concurrency < 1:
            raise ConfigError(f"--concurrency must be at least 1, not {self.concurrency}")
        if self.max_tokens < 1:
            raise ConfigError(f"--max-tokens must be at least 1, not {self.max_tokens}")
        if self.timeout_s <= 0 or self.max_retries < 0:
            raise ConfigError("the timeout must be positive and the retries not negative")
        if self.base_url and urlsplit(self.base_url).scheme not in ("http", "https"):
            raise ConfigError(f"base URL {public_url(self.base_url)!r} must start with http(s)://")

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        judge: bool = False,
        **overrides: Any,
    ) -> LLMSettings:
        """Settings from the environment, with `overrides` (None values ignored) on top.

        With `judge`, the `WORKBENCH_JUDGE_*` variables come first, then the generating
        model's. Raises ConfigError naming the variable or option that is missing.
        """
        env = os.environ if env is None else env

        def var(name: str) -> str | None:
            if judge and env.get(f"WORKBENCH_JUDGE_{name}"):
                return env[f"WORKBENCH_JUDGE_{name}"]
            plain = "WORKBENCH_MODEL" if name == "MODEL" else f"OPENAI_{name}"
            return env.get(plain) or None

        given = {k: v for k, v in overrides.items() if v is not None}
        model = given.pop("model", None) or var("MODEL")
        if not model:
            which = "WORKBENCH_JUDGE_MODEL or --judge-model" if judge else "WORKBENCH_MODEL"
            raise ConfigError(f"no model name: set {which} or pass --model")
        base_url = given.pop("base_url", None) or var("BASE_URL")
        key = given.pop("api_key", None) or var("API_KEY")
        if key is None and base_url is None:
            raise ConfigError(
                "no API key for the OpenAI API: set OPENAI_API_KEY, or OPENAI_BASE_URL for a "
                "local server that needs none"
            )
        secret = key if isinstance(key, Secret) else Secret(key or PLACEHOLDER_KEY)
        return cls(model=model, base_url=base_url, api_key=secret, **given)

    def with_overrides(self, **overrides: Any) -> LLMSettings:
        """A copy with the given fields changed (None values ignored)."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    @property
    def local(self) -> bool:
        """Whether the endpoint is on this machine or a private network (a local server)."""
        host = urlsplit(self.base_url).hostname if self.base_url else None
        if not host:
            return False
        if host == "localhost" or host.endswith(".local"):
            return True
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return address.is_loopback or address.is_private

    @property
    def endpoint(self) -> str:
        """Where calls go, without credentials (part of every cache key)."""
        return public_url(self.base_url) or "https://api.openai.com/v1"

    def public(self) -> dict[str, Any]:
        """What may be recorded with an answer or a run: never the key."""
        recorded = {
            "endpoint": self.endpoint,
            "model": self.model,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "timeout_s": self.timeout_s,
            "max_retries": self.max_retries,
            "concurrency": self.concurrency,
        }
        return {**recorded, "free": True} if self.free else recorded
