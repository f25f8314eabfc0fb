"""``sequencing``: the orders learners gave (most frequent first, the key's marked), and how often
each item was put in each position."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence

from lrs.analytics.interactions import patterns as syntax
from lrs.analytics.interactions.base import Answer, ItemContext, patterns, ranked
from lrs.analytics.interactions.choice import Choice


class Sequencing(Choice):
    type = "sequencing"
    kind = "orders"

    def summarise(self, definition: dict, answers: Sequence[Answer], context: ItemContext) -> dict:
        options = self.options(definition, context.lang)
        texts = dict(options)
        keys = {syntax.ids(p) for p in patterns(definition) or []}
        orders: Counter[tuple[str, ...]] = Counter(syntax.ids(a.response) for a in answers)
        items = [choice for choice, _ in options]
        for order in orders:
            items += [c for c in order if c not in items]
        length = max([len(items)] + [len(o) for o in orders])
        positions = {item: [0] * length for item in items}
        for order, count in orders.items():
            for place, item in enumerate(order):
                positions[item][place] += count
        rows, others = ranked(orders, len(answers), lambda order: order in keys,
                              lambda order: {"ids": list(order),  # type: ignore[call-overload]
                                             "text": " → ".join(texts.get(i, i) for i in order) or "–"})
        return {"orders": rows, "other_orders": others,
                "positions": [{"id": item, "text": texts.get(item, item), "counts": positions[item]}
                              for item in items]}

    def key_text(self, definition: dict, lang: str) -> str | None:
        found = patterns(definition)
        if found is None:
            return None
        texts = dict(self.options(definition, lang))
        return " | ".join(" → ".join(texts.get(i, i) for i in syntax.ids(p)) for p in found)

    def figures(self, summary: dict) -> Iterator[tuple[str, object]]:
        for row in summary["orders"]:
            yield f"order:{'>'.join(row['ids'])}", row["count"]

    def text(self, summary: dict, t: Callable[[str], str] = str) -> str:
        return "; ".join(f"{'>'.join(r['ids'])}{'*' if r['key'] else ''}: {r['count']}" for r in summary["orders"][:5])


INTERACTION = Sequencing()
