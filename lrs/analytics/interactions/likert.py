"""``likert``: a survey scale, never scored: how many chose each point of the scale, in the
scale's order, with the median and mean position (1 = the first point)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from lrs.analytics import stats
from lrs.analytics.interactions.base import Answer, ItemContext
from lrs.analytics.interactions.choice import Choice


def _number(value: float | None, spec: str = "g") -> str:
    return "–" if value is None else format(value, spec)


class Likert(Choice):
    type = "likert"
    kind = "scale"
    components = "scale"

    def summarise(self, definition: dict, answers: Sequence[Answer], context: ItemContext) -> dict:
        options = self.options(definition, context.lang)
        position = {choice: i + 1 for i, (choice, _) in enumerate(options)}
        in_key = frozenset().union(*self.keys(definition)) if self.keys(definition) else frozenset()
        counts = {choice: 0 for choice, _ in options}
        unknown = 0
        positions: list[int] = []
        for answer in answers:
            choice = answer.response.strip()
            if choice in counts:
                counts[choice] += 1
                positions.append(position[choice])
            else:
                unknown += 1
        texts = dict(options)
        return {
            "points": [{"id": c, "text": texts[c], "position": position[c], "count": n,
                        "share": stats.ratio(n, len(answers)), "key": c in in_key} for c, n in counts.items()],
            "unknown": unknown,
            "median_position": stats.median(positions),
            "mean_position": sum(positions) / len(positions) if positions else None,
        }

    def figures(self, summary: dict) -> Iterator[tuple[str, object]]:
        for point in summary["points"]:
            yield f"scale:{point['id']}", point["count"]
        yield "median_position", summary["median_position"]
        yield "mean_position", summary["mean_position"]

    def text(self, summary: dict, t: Callable[[str], str] = str) -> str:
        points = " ".join(f"{p['position']}={p['count']}" for p in summary["points"])
        return f"{points}; " + t("Median position {median} of {points}; mean {mean}.").format(
            median=_number(summary["median_position"]), points=len(summary["points"]),
            mean=_number(summary["mean_position"], ".2f"))


INTERACTION = Likert()
