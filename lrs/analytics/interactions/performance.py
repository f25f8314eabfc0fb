"""``performance``: for each step (``steps`` of the definition), how often each response was given
(``step[.]response`` items); a response in the key's range or equal to its text is marked."""

from __future__ import annotations

import re
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


def _steps(text: str) -> list[tuple[str, str]]:
    """``{order_matters=..}step[.]response[,]...`` as (step, response) with ``{lang=..}`` dropped."""
    return [(step, syntax.strip_lang(response)) for step, response in syntax.pairs(_without_flags(text))]


def _without_flags(text: str) -> str:
    parsed = syntax.parse(text)
    return syntax.LIST.join(parsed.items) if parsed.items else ""


#: The spec's own performance example writes ranges with a bare colon (``1:``, ``:10``).
_COLON_RANGE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)?\s*:\s*(-?\d+(?:\.\d+)?)?\s*$")


def _expected_range(expected: str) -> syntax.Range | None:
    """A step's expected number or range (``[:]``, or a bare ``:`` as in the spec's example)."""
    if syntax.RANGE in expected or syntax.number(expected) is not None:
        return syntax.numeric_range(expected)
    match = _COLON_RANGE.match(expected)
    if match and (match.group(1) or match.group(2)):
        low, high = match.groups()
        return syntax.Range(None if low is None else float(low), None if high is None else float(high))
    return None


def _matches(response: str, expected: str) -> bool:
    """A step's response against the key's: a number in its range, else the same text."""
    wanted = _expected_range(expected)
    value = syntax.number(response)
    if wanted is not None and value is not None:
        return value in wanted
    return syntax.normalise_text(response) == syntax.normalise_text(expected)


class Performance(Interaction):
    type = "performance"
    kind = "steps"

    def summarise(self, definition: dict, answers: Sequence[Answer], context: ItemContext) -> dict:
        defined = [(str(c["id"]), component_text(c, context.lang)) for c in components(definition, "steps")]
        expected: dict[str, list[str]] = {}
        for pattern in patterns(definition) or []:
            for step, response in _steps(pattern):
                expected.setdefault(step, []).append(response)
        given: dict[str, Counter[str]] = {}
        for answer in answers:
            for step, response in _steps(answer.response):
                given.setdefault(step, Counter())[response.strip()] += 1
        order = [s for s, _ in defined] + sorted(set(given) - {s for s, _ in defined})
        texts = dict(defined)
        return {"steps": [
            {"id": step, "text": texts.get(step, step),
             "answers": [{"text": response or "–", "count": count, "share": stats.ratio(count, len(answers)),
                          "key": any(_matches(response, e) for e in expected.get(step, []))}
                         for response, count in sorted(given.get(step, Counter()).items(),
                                                       key=lambda item: (-item[1], item[0]))]}
            for step in order]}

    def key_text(self, definition: dict, lang: str) -> str | None:
        found = patterns(definition)
        if found is None:
            return None
        texts = {str(c["id"]): component_text(c, lang) for c in components(definition, "steps")}
        return " | ".join("; ".join(f"{texts.get(s, s)}: {r}" for s, r in _steps(p)) for p in found)

    def figures(self, summary: dict) -> Iterator[tuple[str, object]]:
        for step in summary["steps"]:
            for row in step["answers"]:
                yield f"step:{step['id']}:{row['text']}", row["count"]

    def text(self, summary: dict, t: Callable[[str], str] = str) -> str:
        return "; ".join(f"{s['id']}: " + ", ".join(f"{a['text']}{'*' if a['key'] else ''}={a['count']}"
                                                     for a in s["answers"][:3]) for s in summary["steps"])


INTERACTION = Performance()
