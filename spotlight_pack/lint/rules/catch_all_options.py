"""'All of the above' and 'none of the above' options, in every course language that has a profile.

Haladyna, Downing & Rodriguez (2002), guideline 26: avoid all-of-the-above (a learner who recognises
two right options knows the answer without knowing the third); guideline 25: use none-of-the-above
carefully (choosing it shows only that the learner rejected the others, not that they know the right
answer). The phrases are listed per language in ``lint/languages/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from ..language import LanguageProfile
from ..registry import Finding, profiled_languages, rule
from ..text import fold
from ..view import AssessmentView

CHOICE_TYPES = {"single", "multiple"}


def _find(
    view: AssessmentView, patterns: Callable[[LanguageProfile], tuple[re.Pattern[str], ...]], what: str, why: str
) -> Iterator[Finding]:
    for item in view.items:
        if item.type not in CHOICE_TYPES:
            continue
        for option in item.options:
            quoted = [
                f"{lang}: “{option.text[lang]}”"
                for lang, profile in profiled_languages(view)
                if any(pattern.search(fold(option.text.get(lang, ""))) for pattern in patterns(profile))
            ]
            if quoted:
                message = f"option {option.id} of {item.id} is '{what}' ({'; '.join(quoted)}): {why}"
                yield Finding(option.at, message, item)


@rule("all-of-the-above", "an option is 'all of the above'")
def all_of_the_above(view: AssessmentView) -> Iterator[Finding]:
    return _find(
        view,
        lambda profile: profile.all_of_the_above,
        "all of the above",
        "a learner who recognises two right options picks it without knowing the rest; "
        "use a multi-select or write a full option",
    )


@rule("none-of-the-above", "an option is 'none of the above'")
def none_of_the_above(view: AssessmentView) -> Iterator[Finding]:
    return _find(
        view,
        lambda profile: profile.none_of_the_above,
        "none of the above",
        "choosing it shows only that the learner rejected the others, not that they know what is right; "
        "write the right answer as an option",
    )
