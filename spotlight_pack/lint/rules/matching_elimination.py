"""A matching item with as many targets as sources: the last pair is found by elimination.

With n sources and n targets used once each, a learner who knows n − 1 pairs gets the last one
free, and one who knows n − 2 has a coin toss for the other two. Item-writing guides for the
matching format ask for unequal lists for this reason (Penn State, Teaching and Learning with
Technology, question-writing guide for matching items: use a larger or smaller number of responses
than premises, to avoid the perfect matching that lets a learner eliminate responses). The source
format's ``distractors:`` adds targets that match nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..registry import Finding, rule
from ..view import AssessmentView


@rule("matching-elimination", "a matching item offers no more targets than sources")
def matching_elimination(view: AssessmentView) -> Iterator[Finding]:
    for item in view.items:
        if item.type != "matching" or item.sources < 2 or item.targets > item.sources:
            continue
        yield Finding(
            item.at,
            f"{item.id} matches {item.sources} sources with {item.targets} targets: a learner who knows "
            f"{item.sources - 1} pairs gets the last one by elimination; add at least one target that matches "
            "nothing (distractors:)",
            item,
        )
