"""Small inline SVG charts (no scripts, no CDN) for self-contained reports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

__all__ = ["bar_chart", "grouped_bar_chart", "strip_chart"]

_PALETTE = ["#3b6ea5", "#c0504d", "#6a9955", "#b8860b", "#7e57c2", "#00838f"]


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    maximum: float | None = None,
    fmt: str = "{:.2f}",
    width: int = 560,
) -> Markup:
    """A horizontal bar chart, one bar per label."""
    top = maximum if maximum is not None else max([*values, 1e-9])
    row, left = 26, 220
    height = 30 + row * len(labels)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}">',
        f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    span = width - left - 70
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 28 + i * row
        w = 0 if top == 0 else max(0.0, value) / top * span
        colour = _PALETTE[i % len(_PALETTE)]
        parts += [
            f'<text x="{left - 6}" y="{y + 15}" font-size="12" text-anchor="end">'
            f"{escape(label)}</text>",
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
    width: int = 560,
) -> Markup:
    """One row of dots per group on a shared axis, with an optional target line."""
    row, left = 34, 220
    height = 50 + row * len(groups)
    span = width - left - 20

    def x(v: float) -> float:
        return left + (min(max(v, lo), hi) - lo) / (hi - lo) * span

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}">',
        f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    for i, (label, vals) in enumerate(groups.items()):
        y = 40 + i * row
        parts.append(
            f'<text x="{left - 6}" y="{y + 4}" font-size="12" text-anchor="end">'
            f"{escape(label)}</text>"
        )
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
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    maximum: float = 1.0,
    fmt: str = "{:.0%}",
    width: int = 760,
) -> Markup:
    """Horizontal bars grouped by category, one colour per series, with a legend."""
    bar, gap, left = 12, 10, 240
    per_group = bar * len(series) + gap
    height = 48 + per_group * len(categories)
    span = width - left - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}">',
        f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    for j, name in enumerate(series):
        x = left + j * 220
        parts += [
            f'<rect x="{x}" y="24" width="12" height="12" fill="{_PALETTE[j % len(_PALETTE)]}"/>',
            f'<text x="{x + 16}" y="34" font-size="12">{escape(name)}</text>',
        ]
    for i, category in enumerate(categories):
        y0 = 44 + i * per_group
        parts.append(
            f'<text x="{left - 6}" y="{y0 + per_group / 2:.0f}" font-size="12" '
            f'text-anchor="end">{escape(category)}</text>'
        )
        for j, values in enumerate(series.values()):
            value = values[i]
            w = max(0.0, value) / maximum * span if maximum else 0.0
            y = y0 + j * bar
            parts += [
                f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar - 2}" '
                f'fill="{_PALETTE[j % len(_PALETTE)]}"/>',
                f'<text x="{left + w + 4:.1f}" y="{y + bar - 3}" font-size="10">'
                f"{escape(fmt.format(value))}</text>",
            ]
    parts.append("</svg>")
    return Markup("".join(parts))
