"""Small statistics over aggregates (no numpy: the LRS must not need it)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

SCORE_BINS = [(i * 10, i * 10 + 10) for i in range(10)]


def median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def score_histogram(scores: Sequence[float]) -> list[dict]:
    """Counts per 10-point bin; the last bin includes 100 (``90–100``)."""
    counts = [0] * len(SCORE_BINS)
    for score in scores:
        counts[min(max(int(score // 10), 0), len(SCORE_BINS) - 1)] += 1
    return [{"bin": f"{low}–{high}", "count": c} for (low, high), c in zip(SCORE_BINS, counts, strict=True)]


def point_biserial(item: Sequence[int], totals: Sequence[float]) -> float | None:
    """Pearson correlation of a 0/1 item with the total score; None when either is constant."""
    n = len(item)
    if n < 2:
        return None
    mean_i = sum(item) / n
    mean_t = sum(totals) / n
    cov = sum((i - mean_i) * (t - mean_t) for i, t in zip(item, totals, strict=True))
    var_i = sum((i - mean_i) ** 2 for i in item)
    var_t = sum((t - mean_t) ** 2 for t in totals)
    if var_i == 0 or var_t == 0:
        return None
    return cov / math.sqrt(var_i * var_t)


def upper_lower(item: Sequence[int], totals: Sequence[float], share: float = 0.27) -> float | None:
    """Share correct in the top 27% by total score minus share correct in the bottom 27%."""
    n = len(item)
    k = int(round(n * share))
    if k < 1 or 2 * k > n:
        return None
    order = sorted(range(n), key=lambda i: (totals[i], i))
    lower = sum(item[i] for i in order[:k]) / k
    upper = sum(item[i] for i in order[-k:]) / k
    return upper - lower
