"""``long-fill-in``: open answers, listed in the order they were given for a tutor to read;
who wrote each only when the report may show learners' identities (``--show-learners``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence

from lrs.analytics.interactions import patterns as syntax
from lrs.analytics.interactions.base import Answer, ItemContext
from lrs.analytics.interactions.fill_in import FillIn


class LongFillIn(FillIn):
    type = "long-fill-in"
    kind = "open"

    def summarise(self, definition: dict, answers: Sequence[Answer], context: ItemContext) -> dict:
        listed = []
        for answer in sorted(answers, key=lambda a: (a.when, a.learner)):
            row: dict = {"text": "; ".join(syntax.parse(answer.response).items).strip(),
                         "when": dt.datetime.fromtimestamp(answer.when, dt.UTC).isoformat(timespec="seconds")}
            if context.show_learners:
                row["learner"], row["name"] = answer.learner, answer.name
            listed.append(row)
        return {"answers": listed, "empty": sum(1 for row in listed if not row["text"])}

    def figures(self, summary: dict) -> Iterator[tuple[str, object]]:
        yield "open_answers", len(summary["answers"])
        yield "empty_answers", summary["empty"]

    def text(self, summary: dict, t: Callable[[str], str] = str) -> str:
        return t("Open answers ({n}), for a tutor to read").format(n=len(summary["answers"]))


INTERACTION = LongFillIn()
