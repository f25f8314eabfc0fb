"""``fill-in``: how often each typed answer was given, counted after normalising (Unicode NFC,
white space, and case unless the key says ``{case_matters=true}``); answers matching a correct
response pattern are marked. Each row shows the answer's most frequent spelling."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from lrs.analytics.interactions import patterns as syntax
from lrs.analytics.interactions.base import Answer, Interaction, ItemContext, patterns, ranked

Normalised = tuple[str, ...]


def _normalised(pattern: syntax.Pattern, case_matters: bool, order_matters: bool) -> Normalised:
    items = tuple(syntax.normalise_text(item, case_matters) for item in pattern.items)
    return items if order_matters else tuple(sorted(items))


class FillIn(Interaction):
    type = "fill-in"
    kind = "answers"

    def summarise(self, definition: dict, answers: Sequence[Answer], context: ItemContext) -> dict:
        keys = [syntax.parse(p) for p in patterns(definition) or []]
        # Answers are compared the way the first correct response says (xAPI defaults otherwise).
        case_matters = keys[0].case_matters if keys else False
        order_matters = keys[0].order_matters if keys else True
        correct = {_normalised(k, k.case_matters, k.order_matters) for k in keys}
        groups: Counter[Normalised] = Counter()
        spellings: dict[Normalised, Counter[str]] = {}
        for answer in answers:
            typed = syntax.parse(answer.response)
            group = _normalised(typed, case_matters, order_matters)
            groups[group] += 1
            spellings.setdefault(group, Counter())["; ".join(syntax.normalise_text(i, True) for i in typed.items)] += 1

        def label(group: object) -> dict:
            spelling = min(spellings[group].items(), key=lambda s: (-s[1], s[0]))[0]  # type: ignore[index]
            return {"text": spelling or "–", "spellings": len(spellings[group])}  # type: ignore[index]

        rows, others = ranked(groups, len(answers), lambda group: group in correct, label)
        return {"answers": rows, "other_answers": others, "distinct": len(groups),
                "case_matters": case_matters, "order_matters": order_matters}

    def key_text(self, definition: dict, lang: str) -> str | None:
        found = patterns(definition)
        if found is None:
            return None
        return " | ".join("; ".join(syntax.parse(p).items) for p in found)


INTERACTION = FillIn()
