"""What every interaction type's analysis offers, and what it is given."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from lrs.analytics import stats
from lrs.analytics.vocab import pick_language

#: How many distinct answers (or orders, combinations) an item lists before "others".
TOP = 20


class Answer(NamedTuple):
    """One learner's first answer to a question (a tuple: the report makes one per learner and
    question)."""

    response: str
    success: bool | None
    learner: str
    name: str
    when: float


@dataclass(frozen=True)
class ItemContext:
    """What a summary may use besides the answers: the report's language, whether learners'
    identities may be shown, and the translation of the report's own words."""

    lang: str = "en"
    show_learners: bool = False
    translate: Callable[[str], str] = str


def component_text(component: dict, lang: str) -> str:
    """A choice's (scale item's, source's...) description in ``lang``, else its id."""
    return pick_language(component.get("description"), lang) or str(component.get("id", ""))


def components(definition: dict, kind: str) -> list[dict]:
    """``choices``/``scale``/``source``/``target``/``steps`` of a definition, malformed entries dropped."""
    found = definition.get(kind)
    return [c for c in found if isinstance(c, dict) and "id" in c] if isinstance(found, list) else []


def patterns(definition: dict) -> list[str] | None:
    """``correctResponsesPattern`` as strings; None when absent (any answer is right, a survey)."""
    found = definition.get("correctResponsesPattern")
    if not isinstance(found, list):
        return None
    return [str(p) for p in found]


def tally(values: Iterable[str]) -> Counter[str]:
    return Counter(values)


def ranked(counts: Counter, respondents: int, is_key: Callable[[object], bool],
           label: Callable[[object], dict]) -> tuple[list[dict], int]:
    """The TOP most frequent values as rows (ties in the order of their labels, so the same in
    every process), and how many answers the rest hold."""
    rows = [{**label(value), "count": count, "share": stats.ratio(count, respondents), "key": is_key(value)}
            for value, count in counts.items()]
    rows.sort(key=lambda row: (-row["count"], json.dumps(row, sort_keys=True, ensure_ascii=False)))
    return rows[:TOP], sum(row["count"] for row in rows[TOP:])


class Interaction:
    """The analysis of one interactionType (subclasses set ``type`` and ``kind``).

    ``kind`` names the shape of the summary and the template that shows it
    (``lrs/templates/dashboard/items/<kind>.html``).
    """

    type = ""
    kind = ""

    def summarise(self, definition: dict, answers: Sequence[Answer], context: ItemContext) -> dict:
        """The summary of first answers (a JSON-ready dict; ``kind`` is added by :meth:`analyse`)."""
        raise NotImplementedError

    def key_text(self, definition: dict, lang: str) -> str | None:
        """The correct response in words (None when the question has no key)."""
        found = patterns(definition)
        if found is None:
            return None
        return " | ".join(found) if found else ""

    def figures(self, summary: dict) -> Iterator[tuple[str, object]]:
        """(metric, value) rows of the long-format CSV report."""
        for row in summary.get("answers", []):
            yield f"answer:{row['text']}", row["count"]

    def text(self, summary: dict, t: Callable[[str], str] = str) -> str:
        """One line for the plain-text report."""
        return "; ".join(f"{r['text']}{'*' if r['key'] else ''}: {r['count']}" for r in summary.get("answers", []))

    def analyse(self, definition: dict, answers: Sequence[Answer], context: ItemContext) -> dict:
        return {"kind": self.kind, **self.summarise(definition, answers, context)}
