"""Small inline SVG charts (no scripts, no CDN) for self-contained reports.

A value that is not there (None) draws no bar: the chart writes "no value" and why in
its place, never a bar of 0. The label column is as wide as the longest label, so no
label is cut; a chart wider than its page scales down with it (`viewBox`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

__all__ = ["NO_VALUE", "bar_chart", "grouped_bar_chart", "label_width", "strip_chart"]

_PALETTE = ["#3b6ea5", "#c0504d", "#6a9955", "#b8860b", "#7e57c2", "#00838f"]
NO_VALUE = "no value"
_CHAR_PX = 7.2  # a generous average width of a 12 px sans-serif character


def label_width(labels: Sequence[str], *, font_px: float = 12, least: int = 80) -> int:
    """Pixels a column needs to show the longest of `labels` whole."""
    longest = max((len(label) for label in labels), default=0)
    return max(least, math.ceil(longest * _CHAR_PX * font_px / 12) + 12)


def _open(width: int, height: int, title: str) -> list[str]:
    """The SVG element (scaling down with its container) and its title."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" style="max-width:100%;height:auto" '
        f'role="img" aria-label="{escape(title)}">',
        f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]


def _missing(x: float, y: float, why: str, font_px: int = 12) -> str:
    """The text drawn where a bar would be when there is no value."""
    return (
        f'<text x="{x:.1f}" y="{y}" font-size="{font_px}" font-style="italic" fill="#666">'
        f"{escape(NO_VALUE)}{escape(': ' + why) if why else ''}</text>"
    )


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    title: str,
    maximum: float | None = None,
    fmt: str = "{:.2f}",
    span: int = 290,
    missing: str = "",
) -> Markup:
    """A horizontal bar chart, one bar per label; None draws "no value" and `missing`."""
    present = [v for v in values if v is not None]
    top = maximum if maximum is not None else max([*present, 1e-9])
    row, left = 26, label_width(labels)
    width = left + span + max(70, label_width([NO_VALUE + ": " + missing], least=0))
    height = 30 + row * len(labels)
    parts = _open(width, height, title)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 28 + i * row
        parts.append(
            f'<text x="{left - 6}" y="{y + 15}" font-size="12" text-anchor="end">'
            f"{escape(label)}</text>"
        )
        if value is None:
            parts.append(_missing(left + 4, y + 15, missing))
            continue
        w = 0 if top == 0 else max(0.0, value) / top * span
        colour = _PALETTE[i % len(_PALETTE)]
        parts += [
            f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" fill="{colour}"/>',
            f'<text x="{left + w + 4:.1f}" y="{y + 15}" font-size="12">'
            f"{escape(fmt.format(value))}</text>",
        ]
    parts.append("</svg>")
    return Markup("".join(parts))


def strip_chart(
    groups: Mapping[str, Sequence[float]],
    *,
    title: str,
    lo: float,
    hi: float,
    target: float | None = None,
    target_label: str = "",
    span: int = 320,
) -> Markup:
    """One row of dots per group on a shared axis, with an optional target line; a group
    with no values says "no value" on its row."""
    row, left = 34, label_width(list(groups))
    width = left + span + 20
    height = 50 + row * len(groups)

    def x(v: float) -> float:
        return left + (min(max(v, lo), hi) - lo) / (hi - lo) * span

    parts = _open(width, height, title)
    for i, (label, vals) in enumerate(groups.items()):
        y = 40 + i * row
        parts.append(
            f'<text x="{left - 6}" y="{y + 4}" font-size="12" text-anchor="end">'
            f"{escape(label)}</text>"
        )
        if not vals:
            parts.append(_missing(left + 4, y + 4, "nothing scored"))
            continue
        colour = _PALETTE[i % len(_PALETTE)]
        # One dot per tenth of a pixel: dots that would land on each other are drawn once,
        # so 100,000 answers make a chart no bigger than a few thousand dots.
        parts += [
            f'<circle cx="{cx:.1f}" cy="{y}" r="4" fill="{colour}" fill-opacity="0.55"/>'
            for cx in sorted({round(x(v), 1) for v in vals})
        ]
    axis_y = 40 + len(groups) * row - 12
    parts.append(
        f'<line x1="{left}" y1="{axis_y}" x2="{left + span}" y2="{axis_y}" stroke="#888"/>'
    )
    for tick in (lo, (lo + hi) / 2, hi):
        parts.append(
            f'<text x="{x(tick):.1f}" y="{axis_y + 14}" font-size="11" '
            f'text-anchor="middle">{tick:g}</text>'
        )
    if target is not None:
        tx = x(target)
        parts += [
            f'<line x1="{tx:.1f}" y1="26" x2="{tx:.1f}" y2="{axis_y}" stroke="#c0504d" '
            'stroke-dasharray="4 3"/>',
            f'<text x="{tx + 4:.1f}" y="30" font-size="11" fill="#c0504d">'
            f"{escape(target_label)}</text>",
        ]
    parts.append("</svg>")
    return Markup("".join(parts))


def grouped_bar_chart(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    title: str,
    maximum: float = 1.0,
    fmt: str = "{:.0%}",
    span: int = 460,
) -> Markup:
    """Horizontal bars grouped by category, one colour per series, with a legend; None
    draws "no value" instead of a bar."""
    bar, gap, left = 12, 10, label_width(categories)
    per_group = bar * len(series) + gap
    height = 48 + per_group * len(categories)
    legend = [label_width([name], least=0) + 24 for name in series]
    width = max(left + span + 60, left + sum(legend))
    parts = _open(width, height, title)
    x = left
    for j, name in enumerate(series):
        parts += [
            f'<rect x="{x}" y="24" width="12" height="12" fill="{_PALETTE[j % len(_PALETTE)]}"/>',
            f'<text x="{x + 16}" y="34" font-size="12">{escape(name)}</text>',
        ]
        x += legend[j]
    for i, category in enumerate(categories):
        y0 = 44 + i * per_group
        parts.append(
            f'<text x="{left - 6}" y="{y0 + per_group / 2:.0f}" font-size="12" '
            f'text-anchor="end">{escape(category)}</text>'
        )
        for j, values in enumerate(series.values()):
            value = values[i]
            y = y0 + j * bar
            if value is None:
                parts.append(_missing(left + 4, y + bar - 3, "", font_px=10))
                continue
            w = max(0.0, value) / maximum * span if maximum else 0.0
            parts += [
                f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar - 2}" '
                f'fill="{_PALETTE[j % len(_PALETTE)]}"/>',
                f'<text x="{left + w + 4:.1f}" y="{y + bar - 3}" font-size="10">'
                f"{escape(fmt.format(value))}</text>",
            ]
    parts.append("</svg>")
    return Markup("".join(parts))
