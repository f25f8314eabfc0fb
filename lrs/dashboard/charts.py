"""Inline SVG charts: no JavaScript, no CDN, readable offline, printable, and narrow enough to
scale to a 360 px phone with legible text (each row's label sits on its own line above its bars).

Each chart is an ``<svg role="img">`` with a title and a description; the page puts the same
numbers in a ``<table>`` right after it for screen readers and for copying. Charts have a
viewBox and no fixed size: the style sheet makes them as wide as their column, up to a limit.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from markupsafe import Markup, escape

#: Colours with at least 4.5:1 contrast on white (WCAG AA) for bars and their labels.
SERIES = ("#1f5f99", "#a3391d", "#2e6b2e")
#: Enrolment status segments (not started, in progress, completed, passed): 3:1 or more against
#: white and distinct neighbours; the legend names each, and the table gives the numbers.
STATUS = ("#6b6b6b", "#b35c00", "#1f5f99", "#2e6b2e")
TEXT = "#1a1a1a"
WIDTH = 360
_ids = itertools.count(1)


def _open(width: int, height: int, title: str, description: str) -> tuple[str, str]:
    n = next(_ids)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
            f'aria-labelledby="chart-t{n} chart-d{n}" class="chart" preserveAspectRatio="xMinYMin meet">'
            f'<title id="chart-t{n}">{escape(title)}</title><desc id="chart-d{n}">{escape(description)}</desc>')
    return head, "</svg>"


def _short(label: str, limit: int = 52) -> str:
    return label if len(label) <= limit else label[:limit - 1] + "…"


def _legend(names: Sequence[str], colours: Sequence[str]) -> tuple[list[str], int]:
    """Legend entries laid out in rows across the chart's width; returns (parts, height)."""
    parts, x, y = [], 0, 4
    for name, colour in zip(names, colours, strict=False):
        width = 20 + 6.5 * len(name)
        if x and x + width > WIDTH:
            x, y = 0, y + 18
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{x + 16}" y="{y + 10}" font-size="12" fill="{TEXT}">{escape(name)}</text>')
        x += width + 10
    return parts, y + 22


def hbars(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]],
          *, maximum: float = 1.0, percent: bool = True, description: str = "") -> Markup:
    """Horizontal bars, one group per label and one bar per series (values 0..maximum)."""
    bar_w, bar_h, label_h, gap = 290, 13, 16, 8
    legend, top = _legend([n for n, _ in series], SERIES) if len(series) > 1 else ([], 0)
    per_row = label_h + bar_h * len(series) + gap
    height = top + per_row * max(len(labels), 1) + 4
    names = ", ".join(name for name, _ in series)
    head, tail = _open(WIDTH, height, title,
                       description or f"Bar chart of {names} for {len(labels)} rows; data in the table below.")
    parts = [head, *legend]
    for row, label in enumerate(labels):
        y0 = top + row * per_row
        parts.append(f'<text x="0" y="{y0 + 12}" font-size="12" fill="{TEXT}">{escape(_short(label))}</text>')
        for i, (_, values) in enumerate(series):
            value = values[row]
            y = y0 + label_h + i * bar_h
            length = 0 if not value or maximum <= 0 else min(value / maximum, 1.0) * bar_w
            text = "–" if value is None else (f"{value * 100:.0f}%" if percent else f"{value:g}")
            parts.append(f'<rect x="0" y="{y}" width="{length:.1f}" height="{bar_h - 2}" '
                         f'fill="{SERIES[i % len(SERIES)]}"/>'
                         f'<text x="{length + 4:.1f}" y="{y + bar_h - 3}" font-size="11" fill="{TEXT}">{text}</text>')
    parts.append(tail)
    return Markup("".join(parts))


def stacked(title: str, labels: Sequence[str], names: Sequence[str], rows: Sequence[Sequence[int]],
            description: str = "") -> Markup:
    """One 100% bar per label, split into segments (``rows[i][j]``: label i, segment j)."""
    bar_w, bar_h, label_h, gap = WIDTH - 2, 16, 16, 8
    legend, top = _legend(names, STATUS)
    per_row = label_h + bar_h + gap
    height = top + per_row * max(len(labels), 1) + 4
    head, tail = _open(WIDTH, height, title,
                       description or f"Stacked bars of {', '.join(names)} for {len(labels)} rows; data in the table "
                                      "below.")
    parts = [head, *legend]
    for row, (label, counts) in enumerate(zip(labels, rows, strict=True)):
        y0 = top + row * per_row
        total = sum(counts)
        parts.append(f'<text x="0" y="{y0 + 12}" font-size="12" fill="{TEXT}">{escape(_short(label))} '
                     f'({total})</text>')
        x = 0.0
        for j, count in enumerate(counts):
            width = count / total * bar_w if total else 0
            if width:
                parts.append(f'<rect x="{x:.1f}" y="{y0 + label_h}" width="{width:.1f}" height="{bar_h}" '
                             f'fill="{STATUS[j % len(STATUS)]}" stroke="#fff" stroke-width="1"/>')
            x += width
        if not total:
            parts.append(f'<rect x="0" y="{y0 + label_h}" width="{bar_w}" height="{bar_h}" fill="none" '
                         f'stroke="{TEXT}" stroke-dasharray="3 3"/>')
    parts.append(tail)
    return Markup("".join(parts))


def columns(title: str, labels: Sequence[str], values: Sequence[int]) -> Markup:
    """Vertical bars (a histogram), counts on top of each bar; labels are bins' lower bounds."""
    count = max(len(labels), 1)
    gap = 6
    bar_w = (WIDTH - 24 - gap * count) / count
    chart_h, base = 150, 36
    height = chart_h + base + 10
    top = max(values, default=0) or 1
    head, tail = _open(WIDTH, height, title, f"Histogram over {len(labels)} bins; data in the table below.")
    parts = [head, f'<line x1="20" y1="{chart_h + 20}" x2="{WIDTH}" y2="{chart_h + 20}" stroke="{TEXT}"/>']
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = 24 + i * (bar_w + gap)
        h = value / top * chart_h
        y = chart_h + 20 - h
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{SERIES[0]}"/>'
                     f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" font-size="11" text-anchor="middle" '
                     f'fill="{TEXT}">{value}</text>'
                     f'<text x="{x + bar_w / 2:.1f}" y="{chart_h + 36}" font-size="11" text-anchor="middle" '
                     f'fill="{TEXT}">{escape(label)}</text>')
    parts.append(tail)
    return Markup("".join(parts))
