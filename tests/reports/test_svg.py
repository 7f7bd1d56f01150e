"""Charts draw no bar where there is no value, say so, and keep every label whole."""

from __future__ import annotations

import re

from workbench.reports.svg import bar_chart, grouped_bar_chart, label_width, strip_chart

LONG = "patient_answer@v1 · ragas:gpt-4o-mini-2024-07-18"


def test_a_missing_value_draws_no_bar_and_says_why() -> None:
    svg = str(
        bar_chart(["offline", LONG], [0.5, None], title="t", maximum=1.0, missing="scored nothing")
    )
    assert len(re.findall(r"<rect ", svg)) == 1 and "0.00" not in svg
    assert "no value: scored nothing" in svg


def test_labels_fit_their_column_and_the_chart_scales_down() -> None:
    svg = str(bar_chart(["a", LONG], [0.2, 0.9], title="t", maximum=1.0))
    left = label_width(["a", LONG])
    assert f'x="{left - 6}"' in svg and left - 6 >= len(LONG) * 7  # the label ends there, whole
    assert LONG in svg and "…" not in svg
    assert 'viewBox="0 0 ' in svg and "max-width:100%" in svg


def test_grouped_and_strip_charts_show_no_value_in_place_of_a_bar() -> None:
    grouped = str(grouped_bar_chart(["rule-a"], {"v1": [0.5], "v2": [None]}, title="t"))
    assert len(re.findall(r"<rect ", grouped)) == 2 + 1  # two legend keys, one bar
    assert "no value" in grouped
    strip = str(strip_chart({"v1": [0.4], "v2": []}, title="t", lo=0.0, hi=1.0))
    assert "no value: nothing scored" in strip and strip.count("<circle") == 1
