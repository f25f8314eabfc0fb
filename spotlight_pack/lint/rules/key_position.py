"""Keys pile up on one answer position.

Haladyna, Downing & Rodriguez (2002), guideline 20: vary the location of the right answer according
to the number of choices. Attali & Bar-Hillel (2003) show writers hide keys in middle positions and
test-takers guess there. Positions are counted in source order: shuffling hides the pattern online,
but print, review and the LMS's item reports show the source order.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..registry import Finding, item_list, rule
from ..stats import excess
from ..view import AssessmentView

MIN_ITEMS = 5


@rule("key-position", "the keys of single-choice items pile up on one position")
def key_position(view: AssessmentView) -> Iterator[Finding]:
    items = [item for item in view.items if item.type == "single" and len(item.keys) == 1 and item.distractors]
    if not items:
        return
    positions = max(len(item.options) for item in items)
    worst = None
    for position in range(1, positions + 1):
        hits = [item for item in items if item.keys[0].position == position]
        chance = [1 / len(item.options) if position <= len(item.options) else 0.0 for item in items]
        found = excess(len(hits), chance, MIN_ITEMS, tests=positions)
        if found and (worst is None or found.p_value < worst[1].p_value):
            worst = (position, found, hits)
    if worst is None:
        return
    position, found, hits = worst
    shuffled = any(item.shuffle for item in hits)
    note = (
        "options are shuffled online, but print and review show this order"
        if shuffled
        else "learners always see this order"
    )
    yield Finding(
        view.items_at,
        f"the key is option {position} in {found.describe('single-choice items')}; {note}: "
        f"spread the keys evenly over the positions (items: {item_list(hits)})",
    )
