"""Multi-select items whose key is (almost) always "every option but one".

A pattern across items is a cue like any other (Haladyna, Downing & Rodriguez, 2002, guideline 28:
avoid clues such as patterns of options and blatantly absurd options; guideline 29: make every
distractor plausible). Chance: if each of k options were correct or not at random (the empty key
excluded), k of the 2^k - 1 possible keys are "all but one".
"""

from __future__ import annotations

from collections.abc import Iterator

from ..registry import Finding, item_list, rule
from ..stats import excess
from ..view import AssessmentView

MIN_ITEMS = 3


@rule("multiple-all-but-one", "multi-select keys are 'all options but one' more often than chance")
def all_but_one(view: AssessmentView) -> Iterator[Finding]:
    items = [item for item in view.items if item.type == "multiple" and len(item.options) >= 3]
    hits = [item for item in items if len(item.keys) == len(item.options) - 1]
    chance = [len(item.options) / (2 ** len(item.options) - 1) for item in items]
    found = excess(len(hits), chance, MIN_ITEMS)
    if found is None:
        return
    yield Finding(
        view.items_at,
        f"every option but one is correct in {found.describe('multi-select items')}: a learner who ticks all "
        "but the odd one out gets them right; vary how many options are correct and make every wrong option "
        f"plausible (items: {item_list(hits)})",
    )
