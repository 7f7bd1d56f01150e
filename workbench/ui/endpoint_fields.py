"""The part of the run and tuning forms that runs live models: a view, no logic.

Backend, model and endpoint; judge, its model and endpoint; the API key's standing (never
the key); a cost cap; the pre-flight; Cancel; and the errors of a run, answer by answer.
It emits `preflight` and `cancel` on its form's events.
"""

from __future__ import annotations

from collections.abc import Sequence
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
        self.backend = w.Dropdown(
            options=list(backends), value=initial.backend, description="Backend"
        )
        self.model = w.Text(
            value=initial.model,
            description="Model",
            style=_LABEL,
            placeholder="$WORKBENCH_MODEL",
            layout=_FIELD,
        )
        self.base_url = w.Text(
            value=initial.base_url,
            description="Endpoint",
            style=_LABEL,
            placeholder="OpenAI's API ($OPENAI_BASE_URL)",
            layout=_FIELD,
        )
        self.judge = w.Dropdown(options=list(judges), value=initial.judge, description="Judge")
        self.judge_model = w.Text(
            value=initial.judge_model,
            description="Judge model",
            style=_LABEL,
            placeholder="the model above ($WORKBENCH_JUDGE_MODEL)",
            layout=_FIELD,
        )
        self.judge_base_url = w.Text(
            value=initial.judge_base_url,
            description="Judge at",
            style=_LABEL,
            placeholder="the endpoint above ($WORKBENCH_JUDGE_BASE_URL)",
            layout=_FIELD,
        )
        self.key = w.HTML(value=str(Markup('<span class="meta">{}</span>').format(key_note)))
        self.max_cost = w.Text(
            description="Cost cap $", style=_LABEL, placeholder="none", layout=_FIELD
        )
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
        self.backend.observe(lambda _: self._enable(), names="value")
        self.judge.observe(lambda _: self._enable(), names="value")
        self._enable()
        self.fields = w.VBox(
            [
                w.HBox([self.backend, self.model]),
                w.HBox([w.HTML(layout=w.Layout(width="300px")), self.base_url]),
                w.HBox([self.judge, self.judge_model]),
                w.HBox([w.HTML(layout=w.Layout(width="300px")), self.judge_base_url]),
                w.HBox([self.max_cost, self.key]),
            ]
        )

    def _enable(self) -> None:
        """Model and endpoint fields only where they apply."""
        offline = self.backend.value != "openai"
        self.model.disabled = self.base_url.disabled = offline
        self.judge_model.disabled = self.judge_base_url.disabled = self.judge.value != "ragas"

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
