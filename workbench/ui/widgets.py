"""Small widget builders the views share."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

__all__ = ["button"]


def button(label: str, css: str, style: str = "", tip: str = "") -> Any:
    """A button sized to its label, with a CSS class tests and the browser can find."""
    made = w.Button(
        description=label, button_style=style, tooltip=tip or label, layout=w.Layout(width="auto")
    )
    made.add_class(css)
    return made
