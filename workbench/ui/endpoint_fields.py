"""The part of the run and tuning forms that runs live models: a view, no logic.

Backend, model and endpoint; judge, its model and endpoint; the API key's standing (never
the key); a cost cap; the pre-flight; Cancel; and the errors of a run, answer by answer.
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
                w.HBox([self.max_cost, self.key]),
            ]
        )

    def endpoints(self) -> Endpoints:
        """The fields' values."""
        return Endpoints(
            backend=str(self.backend.value),
            model=str(self.model.value).strip(),
            base_url=str(self.base_url.value).strip(),
            judge=str(self.judge.value),
            judge_model=str(self.judge_model.value).strip(),
            judge_base_url=str(self.judge_base_url.value).strip(),
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
