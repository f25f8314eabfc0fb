"""``matching``: how many learners made each (source, target) pair, the key's pairs marked."""

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
)


class Matching(Interaction):
    type = "matching"
    kind = "pairs"

    def summarise(self, definition: dict, answers: Sequence[Answer], context: ItemContext) -> dict:
        sources = [(str(c["id"]), component_text(c, context.lang)) for c in components(definition, "source")]
        targets = [(str(c["id"]), component_text(c, context.lang)) for c in components(definition, "target")]
        in_key = {pair for p in patterns(definition) or [] for pair in syntax.pairs(p)}
        made: Counter[tuple[str, str]] = Counter()
        for answer in answers:
            made.update(set(syntax.pairs(answer.response)))
        source_rank = {s: i for i, (s, _) in enumerate(sources)}
        target_rank = {t: i for i, (t, _) in enumerate(targets)}
        source_text, target_text = dict(sources), dict(targets)
        shown = sorted(set(made) | in_key, key=lambda pair: (source_rank.get(pair[0], len(source_rank)), pair[0],
                                                             target_rank.get(pair[1], len(target_rank)), pair[1]))
        return {"pairs": [{"source": s, "source_text": source_text.get(s, s), "target": t,
                           "target_text": target_text.get(t, t), "count": made[(s, t)],
                           "share": stats.ratio(made[(s, t)], len(answers)), "key": (s, t) in in_key}
                          for s, t in shown]}

    def key_text(self, definition: dict, lang: str) -> str | None:
        found = patterns(definition)
        if found is None:
            return None
        source = {str(c["id"]): component_text(c, lang) for c in components(definition, "source")}
        target = {str(c["id"]): component_text(c, lang) for c in components(definition, "target")}
        return " | ".join("; ".join(f"{source.get(s, s)} → {target.get(t, t)}" for s, t in syntax.pairs(p))
                          for p in found)

    def figures(self, summary: dict) -> Iterator[tuple[str, object]]:
        for pair in summary["pairs"]:
            yield f"pair:{pair['source']}>{pair['target']}", pair["count"]

    def text(self, summary: dict, t: Callable[[str], str] = str) -> str:
        return " ".join(f"{p['source']}>{p['target']}{'*' if p['key'] else ''}:{p['count']}" for p in summary["pairs"])


INTERACTION = Matching()
