"""``choice``: how many learners' first responses include each choice (distractor analysis);
for multiple-answer questions also which combinations were chosen, the key's choices marked."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence

from lrs.analytics import stats
from lrs.analytics.interactions import patterns as syntax
from lrs.analytics.interactions.base import (
    Answer,
    Interaction,
    ItemContext,
    component_text,
    components,
    patterns,
    ranked,
)


class Choice(Interaction):
    type = "choice"
    kind = "choices"
    #: Where the choice ids come from in the definition.
    components = "choices"

    def options(self, definition: dict, lang: str) -> list[tuple[str, str]]:
        """(id, text) of each choice in the definition's order."""
        return [(str(c["id"]), component_text(c, lang)) for c in components(definition, self.components)]

    def keys(self, definition: dict) -> list[frozenset[str]]:
        return [frozenset(syntax.ids(p)) for p in patterns(definition) or []]

    def summarise(self, definition: dict, answers: Sequence[Answer], context: ItemContext) -> dict:
        options = self.options(definition, context.lang)
        texts = dict(options)
        keys = self.keys(definition)
        in_key = frozenset().union(*keys) if keys else frozenset()
        counts: dict[str, int] = {choice: 0 for choice, _ in options}
        combinations: Counter[frozenset[str]] = Counter()
        for answer in answers:
            chosen = syntax.ids(answer.response)
            for choice in dict.fromkeys(chosen):
                counts[choice] = counts.get(choice, 0) + 1
            combinations[frozenset(chosen)] += 1
        respondents = len(answers)
        multiple = any(len(k) > 1 for k in keys) or any(len(c) > 1 for c in combinations)
        summary: dict = {
            "multiple": multiple,
            "options": [{"id": choice, "text": texts.get(choice, choice), "count": count,
                         "share": stats.ratio(count, respondents), "key": choice in in_key}
                        for choice, count in counts.items()],
        }
        if multiple:
            order = {choice: i for i, choice in enumerate(counts)}

            def label(chosen: object) -> dict:
                ids = sorted(chosen, key=lambda c: (order.get(c, len(order)), c))  # type: ignore[arg-type]
                return {"ids": ids, "text": "; ".join(texts.get(c, c) for c in ids) or "–"}

            summary["combinations"], summary["other_combinations"] = ranked(
                combinations, respondents, lambda chosen: chosen in keys, label)
        return summary

    def key_text(self, definition: dict, lang: str) -> str | None:
        found = patterns(definition)
        if found is None:
            return None
        texts = dict(self.options(definition, lang))
        return " | ".join("; ".join(texts.get(c, c) for c in syntax.ids(p)) for p in found)

    def figures(self, summary: dict) -> Iterator[tuple[str, object]]:
        for option in summary["options"]:
            yield f"choice:{option['id']}", option["count"]

    def text(self, summary: dict, t: Callable[[str], str] = str) -> str:
        return " ".join(f"{o['id']}{'*' if o['key'] else ''}:{o['count']}" for o in summary["options"])


INTERACTION = Choice()
