"""Inline SVG charts: no JavaScript, no CDN, readable offline and printable.

Each chart is an ``<svg role="img">`` with a title and a description; the page puts the same
numbers in a ``<table>`` right after it for screen readers and for copying.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from markupsafe import Markup, escape

#: Colours with at least 4.5:1 contrast on white (WCAG AA) for bars and their labels.
SERIES = ("#1f5f99", "#a3391d", "#2e6b2e")
TEXT = "#1a1a1a"
_ids = itertools.count(1)


def _open(width: int, height: int, title: str, description: str) -> tuple[str, str]:
    n = next(_ids)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" aria-labelledby="chart-t{n} chart-d{n}" class="chart">'
            f'<title id="chart-t{n}">{escape(title)}</title><desc id="chart-d{n}">{escape(description)}</desc>')
    return head, "</svg>"


def hbars(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]],
          *, maximum: float = 1.0, percent: bool = True) -> Markup:
    """Horizontal bars, one row per label and one bar per series (values 0..maximum)."""
    label_w, bar_w, bar_h, gap = 260, 380, 14, 10
    per_row = bar_h * len(series) + gap
    legend = 22 if len(series) > 1 else 0
    height = legend + per_row * max(len(labels), 1) + 10
    width = label_w + bar_w + 70
    names = ", ".join(name for name, _ in series)
    head, tail = _open(width, height, title, f"Bar chart of {names} for {len(labels)} rows; data in the table below.")
    parts = [head]
    if legend:
        for i, (name, _) in enumerate(series):
            x = label_w + i * 150
            parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{SERIES[i % len(SERIES)]}"/>'
                         f'<text x="{x + 16}" y="14" font-size="12" fill="{TEXT}">{escape(name)}</text>')
    for row, label in enumerate(labels):
        y0 = legend + row * per_row
        short = label if len(label) <= 40 else label[:39] + "…"
        parts.append(f'<text x="{label_w - 6}" y="{y0 + bar_h * len(series) / 2 + 4:.0f}" font-size="12" '
                     f'text-anchor="end" fill="{TEXT}">{escape(short)}</text>')
        for i, (_, values) in enumerate(series):
            value = values[row]
            y = y0 + i * bar_h
            length = 0 if not value or maximum <= 0 else min(value / maximum, 1.0) * bar_w
            text = "–" if value is None else (f"{value * 100:.0f}%" if percent else f"{value:g}")
            parts.append(f'<rect x="{label_w}" y="{y}" width="{length:.1f}" height="{bar_h - 2}" '
                         f'fill="{SERIES[i % len(SERIES)]}"/>'
                         f'<text x="{label_w + length + 4:.1f}" y="{y + bar_h - 4}" font-size="11" '
                         f'fill="{TEXT}">{text}</text>')
    parts.append(tail)
    return Markup("".join(parts))


def columns(title: str, labels: Sequence[str], values: Sequence[int]) -> Markup:
    """Vertical bars (a histogram), counts on top of each bar."""
    bar_w, gap, chart_h, base = 44, 8, 160, 40
    width = 40 + len(labels) * (bar_w + gap)
    height = chart_h + base + 20
    top = max(values, default=0) or 1
    head, tail = _open(width, height, title, f"Histogram over {len(labels)} bins; data in the table below.")
    parts = [head, f'<line x1="30" y1="{chart_h + 20}" x2="{width}" y2="{chart_h + 20}" stroke="{TEXT}"/>']
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = 34 + i * (bar_w + gap)
        h = value / top * chart_h
        y = chart_h + 20 - h
        parts.append(f'<rect x="{x}" y="{y:.1f}" width="{bar_w}" height="{h:.1f}" fill="{SERIES[0]}"/>'
                     f'<text x="{x + bar_w / 2}" y="{y - 4:.1f}" font-size="11" text-anchor="middle" '
                     f'fill="{TEXT}">{value}</text>'
                     f'<text x="{x + bar_w / 2}" y="{chart_h + 36}" font-size="11" text-anchor="middle" '
                     f'fill="{TEXT}">{escape(label)}</text>')
    parts.append(tail)
    return Markup("".join(parts))
