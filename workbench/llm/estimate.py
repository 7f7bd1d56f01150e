"""The pre-flight estimate of a run: calls, tokens and cost, and what the cache will serve.

Prompt tokens are estimated from characters (about four per token: no tokenizer file
is downloaded); completion tokens are counted at each call's `max_tokens`, so the cost
is an upper bound. A call whose prompt depends on an earlier reply (ragas' verdicts
need its statements) is estimated from its inputs' size until that reply is cached.
`check_budget` refuses a run above `--max-cost`, or whose cost cannot be known.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from workbench.errors import BudgetError
from workbench.llm.calls import LLMClient
from workbench.llm.client import ChatRequest

__all__ = ["CHARS_PER_TOKEN", "Estimate", "PlannedCall", "check_budget", "estimate"]

CHARS_PER_TOKEN = 4.0


@dataclass(frozen=True, slots=True)
class PlannedCall:
    """A call a run will make: its request when already known, else its size."""

    request: ChatRequest | None
    chars: int
    max_tokens: int


@dataclass(frozen=True, slots=True)
class Estimate:
    """What a run will ask of one endpoint and model."""

    what: str
    model: str
    endpoint: str
    calls: int
    cached: int
    prompt_tokens: int  # of the calls the endpoint will get
    completion_tokens: int  # at most
    cost_usd: float | None  # at most; None when the model has no price
    free: bool = False  # the endpoint was said to cost nothing
    prices_source: str = "prices.yaml"

    def describe(self) -> str:
        """One line for the pre-flight summary."""
        if self.cost_usd is None:
            cost = (
                f"cost unknown ({self.model} is not in {self.prices_source}; "
                "--free if it costs nothing)"
            )
        else:
            cost = f"cost at most ${self.cost_usd:.4f}" + (" (free endpoint)" if self.free else "")
        return (
            f"pre-flight {self.what} ({self.model} at {self.endpoint}): {self.calls} calls, "
            f"{self.cached} from the cache, {self.calls - self.cached} to the endpoint; "
            f"about {self.prompt_tokens} prompt tokens, at most {self.completion_tokens} "
            f"completion tokens; {cost}"
        )


def estimate(what: str, planned: Sequence[PlannedCall], client: LLMClient) -> Estimate:
    """Count the planned calls, those the cache will serve, and the rest's tokens and cost."""
    misses = [p for p in planned if p.request is None or not client.cached(p.request)]
    prompt_tokens = sum(math.ceil(p.chars / CHARS_PER_TOKEN) for p in misses)
    completion_tokens = sum(p.max_tokens for p in misses)
    price = client.price()
    cost = price.cost(prompt_tokens, completion_tokens) if price else None
    if not misses:
        cost = 0.0
    return Estimate(
        what=what,
        model=client.settings.model,
        endpoint=client.settings.endpoint,
        calls=len(planned),
        cached=len(planned) - len(misses),
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        cost_usd=cost,
        free=client.settings.free,
        prices_source=prices_source(client),
    )


def prices_source(client: LLMClient) -> str:
    """The price table's file, for messages."""
    source = client.prices.source if client.prices else None
    return str(source) if source else "prices.yaml"


def check_budget(estimates: Sequence[Estimate], max_cost: float | None) -> None:
    """Raise BudgetError when the estimated cost is above `max_cost` or cannot be known."""
    if max_cost is None:
        return
    unknown = [e for e in estimates if e.cost_usd is None]
    if unknown:
        models = ", ".join(sorted({e.model for e in unknown}))
        raise BudgetError(
            f"--max-cost {max_cost:g}: the cost of {models} is unknown; add its price to "
            f"{unknown[0].prices_source} (or to prices.yaml in your --datasets folder), pass "
            "--free for an endpoint that costs nothing (a local server), or drop --max-cost"
        )
    total = sum(e.cost_usd or 0.0 for e in estimates)
    if total > max_cost:
        raise BudgetError(
            f"this run may cost up to ${total:.4f}, above --max-cost {max_cost:g}: "
            "run fewer questions (--limit) or raise --max-cost"
        )
