"""The price table (`prices.yaml` of the data set folder) and the cost of a call.

A model the table does not know has an unknown cost (None), never a guessed one.
Dated variants (`gpt-4o-mini-2024-07-18`) are priced as their base name. A user's own
`--datasets` folder may bring its own table (zeros for a local model); without one, the
repository's applies. An endpoint said to be free (`--free`) costs nothing whatever the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workbench.data.datasets import default_datasets_dir, embedded_datasets_dir
from workbench.data.yamlfile import read_yaml

__all__ = ["FREE", "PRICES_FILE", "Price", "PriceTable", "load_prices", "prices_file"]

PRICES_FILE = "prices.yaml"
_DATED_RE = re.compile(r"-\d{4}-\d{2}-\d{2}$")


class _PriceRow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    input: float = Field(ge=0)
    output: float = Field(ge=0)


class _PriceFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    as_of: date
    currency: str = Field(pattern=r"^USD$")
    per_tokens: int = Field(gt=0)
    models: dict[str, _PriceRow]


@dataclass(frozen=True, slots=True)
class Price:
    """US dollars per million prompt (input) and completion (output) tokens."""

    input_per_million: float
    output_per_million: float

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        """The cost in US dollars of a call with these token counts."""
        return (
            prompt_tokens * self.input_per_million + completion_tokens * self.output_per_million
        ) / 1_000_000


FREE = Price(0.0, 0.0)


@dataclass(frozen=True, slots=True)
class PriceTable:
    """Prices by model name, and the date they were read off the provider's page."""

    as_of: date
    prices: dict[str, Price]
    source: Path | None = None  # the file it was read from

    def price(self, model: str) -> Price | None:
        """The price of `model` (or of its undated base name), or None if unknown."""
        return self.prices.get(model) or self.prices.get(_DATED_RE.sub("", model))

    def cost(
        self, model: str, prompt_tokens: int | None, completion_tokens: int | None
    ) -> float | None:
        """The cost of a call, or None when the model's price or the usage is unknown."""
        price = self.price(model)
        if price is None or prompt_tokens is None or completion_tokens is None:
            return None
        return price.cost(prompt_tokens, completion_tokens)


def prices_file(datasets: Path | None = None) -> Path:
    """The price table of a data set folder, else the default folder's, else the embedded one."""
    for folder in (datasets, default_datasets_dir()):
        if folder is not None and (folder / PRICES_FILE).is_file():
            return folder / PRICES_FILE
    return embedded_datasets_dir() / PRICES_FILE


def load_prices(path: Path | None = None) -> PriceTable:
    """Read and validate the price table (default: the default data set folder's)."""
    path = path or prices_file()
    source = read_yaml(path, "price table")
    try:
        row = _PriceFile.model_validate(source.data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise source.error(tuple(first["loc"]), first["msg"]) from exc
    scale = 1_000_000 / row.per_tokens
    return PriceTable(
        row.as_of,
        {m: Price(p.input * scale, p.output * scale) for m, p in row.models.items()},
        path,
    )
