"""``other`` (and any interactionType this registry does not know): how often each response
was given, as sent (only surrounding white space removed)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from lrs.analytics.interactions.base import Answer, Interaction, ItemContext, patterns, ranked


class Other(Interaction):
    type = "other"
    kind = "answers"

    def summarise(self, definition: dict, answers: Sequence[Answer], context: ItemContext) -> dict:
        correct = {p.strip() for p in patterns(definition) or []}
        counts = Counter(a.response.strip() for a in answers)
        rows, others = ranked(counts, len(answers), lambda response: response in correct,
                              lambda response: {"text": response or "–", "spellings": 1})
        return {"answers": rows, "other_answers": others, "distinct": len(counts)}


INTERACTION = Other()
