"""``numeric``: the distribution of the numbers learners gave (quartiles, a histogram) and how
many fall in a correct range (``4[:]``, ``[:]4``, ``3[:]5`` or a single number)."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterator, Sequence

from lrs.analytics import stats
from lrs.analytics.interactions import patterns as syntax
from lrs.analytics.interactions.base import Answer, Interaction, ItemContext, patterns

#: Up to this many distinct values, one bar per value; beyond, BINS equal-width bins.
DISTINCT_BARS = 12
BINS = 10


def histogram(values: Sequence[float], ranges: Sequence[syntax.Range]) -> list[dict]:
    """Counts per value (few distinct values) or per equal-width bin, each bar saying whether
    it lies in a correct range."""
    if not values:
        return []
    distinct = sorted(set(values))
    if len(distinct) <= DISTINCT_BARS:
        counts = Counter(values)
        return [{"label": f"{v:g}", "low": v, "high": v, "count": counts[v],
                 "key": any(v in r for r in ranges)} for v in distinct]
    low, high = distinct[0], distinct[-1]
    width = (high - low) / BINS
    counts_per_bin = [0] * BINS
    for value in values:
        counts_per_bin[min(int((value - low) / width), BINS - 1)] += 1
    bars = []
    for i, count in enumerate(counts_per_bin):
        start, end = low + i * width, low + (i + 1) * width
        bars.append({"label": f"{start:.3g}–{end:.3g}", "low": start, "high": end, "count": count,
                     "key": any(start in r and end in r for r in ranges)})
    return bars


def describe(summary: dict, t: Callable[[str], str] = str) -> str:
    """The distribution in one sentence, in the report's language."""

    def number(value: float | None) -> str:
        return "–" if value is None else f"{value:g}"

    return t("{numbers} numbers, {unreadable} unreadable; median {median}, quartiles {q1}–{q3}, range {low}–{high}; "
             "{in_key} in the key ({key}).").format(
        numbers=summary["numbers"], unreadable=summary["unreadable"], median=number(summary["median"]),
        q1=number(summary["q1"]), q3=number(summary["q3"]), low=number(summary["min"]), high=number(summary["max"]),
        in_key="–" if summary["in_key"] is None else summary["in_key"],
        key=", ".join(r["text"] for r in summary["key_ranges"]) or "–")


class Numeric(Interaction):
    type = "numeric"
    kind = "numeric"

    def summarise(self, definition: dict, answers: Sequence[Answer], context: ItemContext) -> dict:
        ranges = [r for r in (syntax.numeric_range(p) for p in patterns(definition) or []) if r is not None]
        values: list[float] = []
        unreadable = 0
        for answer in answers:
            # A learner's response is a number, or (rarely) a range: its low end, else its high end.
            given = syntax.numeric_range(answer.response)
            value = None if given is None else given.low if given.low is not None else given.high
            if value is None:
                unreadable += 1
            else:
                values.append(value)
        quartiles = statistics.quantiles(values, n=4, method="inclusive") if len(values) >= 2 else [None] * 3
        return {
            "respondents": len(answers),
            "numbers": len(values),
            "unreadable": unreadable,
            "min": min(values, default=None),
            "max": max(values, default=None),
            "mean": sum(values) / len(values) if values else None,
            "median": stats.median(values),
            "q1": quartiles[0],
            "q3": quartiles[2],
            "in_key": sum(1 for v in values if any(v in r for r in ranges)) if ranges else None,
            "key_ranges": [{"min": r.low, "max": r.high, "text": r.text()} for r in ranges],
            "histogram": histogram(values, ranges),
        }

    def key_text(self, definition: dict, lang: str) -> str | None:
        found = patterns(definition)
        if found is None:
            return None
        return " | ".join(r.text() if (r := syntax.numeric_range(p)) else p for p in found)

    def figures(self, summary: dict) -> Iterator[tuple[str, object]]:
        for name in ("numbers", "unreadable", "min", "q1", "median", "q3", "max", "mean", "in_key"):
            yield name, summary[name]
        for bar in summary["histogram"]:
            yield f"value:{bar['label']}", bar["count"]

    def text(self, summary: dict, t: Callable[[str], str] = str) -> str:
        return describe(summary, t)


INTERACTION = Numeric()
