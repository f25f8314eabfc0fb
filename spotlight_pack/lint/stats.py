"""Exact tests behind the pattern rules: is a cue more frequent than chance would make it?

Each pattern rule counts how often a cue holds (the key is the longest option, sits in position b, is
"false", …) and compares the count with what chance gives *for these items*: item i shows the cue with
probability p_i (1/k for a k-option item), so the count follows a Poisson-binomial distribution
(a binomial when every p_i is equal). A rule warns only when

- the assessment has at least the rule's minimum number of items of that kind (a 3-item self-check
  is not judged like a 20-item exam),
- the count is improbable by chance: one-sided exact p-value <= ``ALPHA`` (two-sided for true/false),
- and the effect is large enough to matter to a guesser: the count is at least ``MIN_RATIO`` times its
  chance expectation, so that a very large bank is not flagged for a trivial excess.

The p-value and the threshold therefore adapt to the assessment's size: with five 4-option items the
key must be the longest in 4 of them; with twenty, in 10.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ALPHA = 0.05
MIN_RATIO = 1.5


@dataclass(frozen=True)
class Excess:
    observed: int
    total: int
    expected: float
    p_value: float

    def describe(self, noun: str) -> str:
        """E.g. '9 of 12 single-choice items (chance: about 3.0; p = 0.0012)'."""
        return f"{self.observed} of {self.total} {noun} (chance: about {self.expected:.1f}; p = {self.p_value:.2g})"


def distribution(probabilities: Sequence[float]) -> list[float]:
    """P(count = k) for k = 0..n, for independent events of the given probabilities."""
    result = [1.0]
    for p in probabilities:
        step = [0.0] * (len(result) + 1)
        for count, mass in enumerate(result):
            step[count] += mass * (1 - p)
            step[count + 1] += mass * p
        result = step
    return result


def upper_tail(probabilities: Sequence[float], observed: int) -> float:
    """P(count >= observed)."""
    return min(1.0, sum(distribution(probabilities)[observed:]))


def excess(observed: int, probabilities: Sequence[float], min_items: int, tests: int = 1) -> Excess | None:
    """The cue's excess over chance when it is significant and large (see the module doc), else None.

    ``tests`` is how many counts of the same kind were looked at (e.g. one per answer position): the
    p-value is multiplied by it (Bonferroni), so looking at more positions does not find more by luck.
    """
    total = len(probabilities)
    expected = sum(probabilities)
    if total < min_items or observed == 0 or observed < MIN_RATIO * expected:
        return None
    p_value = min(1.0, upper_tail(probabilities, observed) * tests)
    return Excess(observed, total, expected, p_value) if p_value <= ALPHA else None


def imbalance(count_a: int, count_b: int) -> Excess:
    """The larger of two counts with its two-sided exact binomial p-value against 50/50."""
    total = count_a + count_b
    larger = max(count_a, count_b)
    p_value = min(1.0, 2 * upper_tail([0.5] * total, larger)) if total else 1.0
    return Excess(larger, total, total / 2, p_value)
