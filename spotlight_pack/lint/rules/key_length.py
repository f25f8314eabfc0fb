"""The key is the longest (or the shortest) option far more often than chance.

Haladyna, Downing & Rodriguez (2002), guideline 24: keep the length of choices about equal; the
"longest option" cue is the classic test-wise strategy (Millman, Bishop & Ebel, 1965).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..registry import Finding, item_list, rule
from ..stats import excess
from ..view import AssessmentView, ItemView

MIN_ITEMS = 5


def _length(text: str) -> int:
    return len(" ".join(text.replace("**", "").split()))


def _single_choice(view: AssessmentView) -> list[ItemView]:
    return [item for item in view.items if item.type == "single" and len(item.keys) == 1 and item.distractors]


def _check(view: AssessmentView, longest: bool) -> Iterator[Finding]:
    items = _single_choice(view)
    chance = [1 / len(item.options) for item in items]
    results = []
    for lang in view.languages:
        hits = []
        for item in items:
            key = _length(item.keys[0].text.get(lang, ""))
            others = [_length(option.text.get(lang, "")) for option in item.distractors]
            if (key > max(others)) if longest else (key < min(others)):
                hits.append(item)
        found = excess(len(hits), chance, MIN_ITEMS)
        if found:
            results.append((found.p_value, lang, found, hits))
    if not results:
        return
    results.sort(key=lambda result: result[0])
    _, lang, found, hits = results[0]
    extreme = "longest" if longest else "shortest"
    others = "".join(f"; {code}: {other.observed} of {other.total}" for _, code, other, _ in results[1:])
    yield Finding(
        view.items_at,
        f"the key is the {extreme} option in {found.observed} of {found.total} single-choice items ({lang}; chance: "
        f"about {found.expected:.1f}; p = {found.p_value:.2g}{others}): "
        f"a learner who always "
        f"picks the {extreme} option gets them right without knowing; make the options about equally long "
        f"(items: {item_list(hits)})",
    )


@rule("key-longest", "the key is the longest option more often than chance")
def key_longest(view: AssessmentView) -> Iterator[Finding]:
    return _check(view, longest=True)


@rule("key-shortest", "the key is the shortest option more often than chance")
def key_shortest(view: AssessmentView) -> Iterator[Finding]:
    return _check(view, longest=False)
