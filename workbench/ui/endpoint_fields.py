"""The part of the run and tuning forms that runs live models: a view, no logic.

Backend, model and endpoint; judge, its model and endpoint; the API key's standing (never
the key); the CLI's call settings (free endpoint, concurrency, timeout, longest answer)
and a cost cap, each named as its option is, so a message that names an option names
a field too; the pre-flight; Cancel; and the errors of a run, answer by answer.
It emits `preflight` and `cancel` on its form's events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as w
from markupsafe import Markup

from workbench.errors import ConfigError
from workbench.runs.parts import Endpoints
from workbench.ui.events import Events
from workbench.ui.widgets import button

__all__ = ["EndpointFields"]

_FIELD = w.Layout(width="460px")
_LABEL = {"description_width": "90px"}


@dataclass(frozen=True, slots=True)
class _Part:
    """How the form names one part that calls a model (the generator or the judge).

    `live` is the choice that calls a model, the only one whose model and endpoint apply;
    the hints say what an empty field falls back to.
    """

    choice: str
    model: str
    endpoint: str
    model_hint: str
    endpoint_hint: str
    live: str


_GENERATOR = _Part(
    "Backend", "Model", "Endpoint", "$WORKBENCH_MODEL", "OpenAI's API ($OPENAI_BASE_URL)", "openai"
)
_JUDGE = _Part(
    "Judge",
    "Judge model",
    "Judge at",
    "the model above ($WORKBENCH_JUDGE_MODEL)",
    "the endpoint above ($WORKBENCH_JUDGE_BASE_URL)",
    "ragas",
)


def _text(value: str, description: str, placeholder: str) -> Any:
    """A labelled text field of the form's width."""
    return w.Text(
        value=value, description=description, style=_LABEL, placeholder=placeholder, layout=_FIELD
    )


def _small(value: float | None, description: str, default: str, name: str) -> Any:
    """A short labelled number field; empty means the default, shown greyed."""
    field = w.Text(
        value="" if value is None else f"{value:g}",
        description=description,
        style=_LABEL,
        placeholder=f"default {default}",
        layout=w.Layout(width="200px"),
    )
    field.add_class(name)
    return field


def _positive(field: Any, name: str, kind: type[int] | type[float]) -> Any:
    """The field's number (None when empty); one clear error when it is not one above 0."""
    text = str(field.value).strip()
    if not text:
        return None
    try:
        value = kind(text)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise ConfigError(f"{name} {text!r}: give {what} above 0, or leave it empty") from None
    if value <= 0:
        raise ConfigError(f"{name} {text!r}: give a number above 0, or leave it empty")
    return value


class _ModelFields:
    """One part's choice (a dropdown), model and endpoint; the two text fields are open
    only while the choice is the part's live one."""

    def __init__(
        self, part: _Part, options: Sequence[str], choice: str, model: str, base_url: str
    ) -> None:
        self.live = part.live
        self.choice = w.Dropdown(options=list(options), value=choice, description=part.choice)
        self.model = _text(model, part.model, part.model_hint)
        self.base_url = _text(base_url, part.endpoint, part.endpoint_hint)
        self.widgets = (self.choice, self.model, self.base_url)
        self.choice.observe(lambda _: self._enable(), names="value")
        self._enable()

    def _enable(self) -> None:
        self.model.disabled = self.base_url.disabled = self.choice.value != self.live

    def rows(self) -> list[Any]:
        """The choice beside the model, then the endpoint under the model."""
        spacer = w.HTML(layout=w.Layout(width="300px"))
        return [w.HBox([self.choice, self.model]), w.HBox([spacer, self.base_url])]


class EndpointFields:
    """The fields and the run controls a live model needs."""

    def __init__(
        self,
        events: Events,
        *,
        backends: Sequence[str],
        judges: Sequence[str],
        initial: Endpoints,
        key_note: str,
    ) -> None:
        generator = _ModelFields(
            _GENERATOR, backends, initial.backend, initial.model, initial.base_url
        )
        judge = _ModelFields(
            _JUDGE, judges, initial.judge, initial.judge_model, initial.judge_base_url
        )
        self.backend, self.model, self.base_url = generator.widgets
        self.judge, self.judge_model, self.judge_base_url = judge.widgets
        self.key = w.HTML(value=str(Markup('<span class="meta">{}</span>').format(key_note)))
        self.max_cost = _text("", "Cost cap $", "none")
        self.max_cost.add_class("wb-max-cost")
        self.free = w.Checkbox(
            value=initial.free,
            indent=False,
            description="--free: the endpoint costs nothing (a local server)",
            layout=w.Layout(width="auto"),
        )
        self.free.add_class("wb-free")
        self.concurrency = _small(initial.concurrency, "Concurrency", "8", "wb-concurrency")
        self.timeout = _small(initial.timeout_s, "Timeout s", "60", "wb-timeout")
        self.max_tokens = _small(initial.max_tokens, "Max tokens", "1200", "wb-max-tokens")
        for field, option in (
            (self.concurrency, "--concurrency: LLM calls in flight at once"),
            (self.timeout, "--timeout: seconds to wait for one LLM call"),
            (self.max_tokens, "--max-tokens: longest answer; a longer one is cut off and flagged"),
        ):
            field.tooltip = option
        self.check = button("Pre-flight", "wb-preflight", tip="Count calls, tokens and cost")
        self.cancel = button("Cancel", "wb-cancel", "warning", "Stop; keep what finished")
        self.cancel.disabled = True
        self.preflight = w.HTML()
        self.preflight.add_class("wb-preflight-box")
        self.errors = w.HTML()
        self.errors.add_class("wb-errors")
        self.check.on_click(lambda _: events.emit("preflight"))
        self.cancel.on_click(lambda _: events.emit("cancel"))
        self.fields = w.VBox(
            [
                *generator.rows(),
                *judge.rows(),
                w.HBox([self.concurrency, self.timeout, self.max_tokens]),
                w.HBox([self.max_cost, self.free]),
                w.HBox([self.key]),
            ]
        )

    def endpoints(self) -> Endpoints:
        """The fields' values; a call setting that is not a positive number is a
        `ConfigError` naming its field and option."""
        return Endpoints(
            backend=str(self.backend.value),
            model=str(self.model.value).strip(),
            base_url=str(self.base_url.value).strip(),
            judge=str(self.judge.value),
            judge_model=str(self.judge_model.value).strip(),
            judge_base_url=str(self.judge_base_url.value).strip(),
            free=bool(self.free.value),
            concurrency=_positive(self.concurrency, "concurrency (--concurrency)", int),
            timeout_s=_positive(self.timeout, "timeout (--timeout)", float),
            max_tokens=_positive(self.max_tokens, "max tokens (--max-tokens)", int),
        )

    def cost_cap(self) -> float | None:
        """The cost cap in US dollars; None when the field is empty."""
        text = str(self.max_cost.value).strip().lstrip("$")
        if not text:
            return None
        try:
            cap = float(text)
        except ValueError:
            raise ConfigError(
                f"cost cap {text!r}: give a number of US dollars, or leave it empty"
            ) from None
        if cap < 0:
            raise ConfigError(f"cost cap {cap:g}: give zero or more US dollars")
        return cap

    def running(self, on: bool) -> None:
        """Cancel works while a job runs; the fields wait."""
        self.cancel.disabled = not on
        self.check.disabled = on

    def show_preflight(self, markup: Markup) -> None:
        """The pre-flight estimate."""
        self.preflight.value = str(markup)

    def show_errors(self, markup: Markup) -> None:
        """The failed items of the current run."""
        self.errors.value = str(markup)

    @property
    def controls(self) -> Any:
        """Pre-flight and Cancel, for the form's button row."""
        return [self.check, self.cancel]
