"""A negative question ('which is NOT', '¿cuál NO…', 'excepto') without emphasis.

Haladyna, Downing & Rodriguez (2002), guideline 17: word the stem positively; if a negative word is
used, it must appear in capitals and bold, because readers skim past it and answer the opposite
question. Only the part of the stem that states the task is read (every question sentence and the
last sentence): a negation in the scenario ("she does not want to report"), in quoted speech, or
after a subordinating word ("if she does not…", "si ella no…") is not the task and is not flagged.
Emphasis is capitals (NOT, NO, EXCEPTO) or Markdown bold (**not**).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..registry import Finding, profiled_languages, rule
from ..text import bold_spans, question_parts
from ..view import AssessmentView

CHOICE_TYPES = {"single", "multiple"}


def unemphasised_negative(stem: str, negative: re.Pattern[str], subordinators: frozenset[str]) -> str | None:
    """The first negative word of the task part of ``stem`` that is neither in capitals nor bold."""
    bold = bold_spans(stem)
    for offset, sentence in question_parts(stem):
        for match in negative.finditer(sentence):
            before = re.findall(r"\w+", sentence[: match.start()].lower())
            if subordinators.intersection(before):
                continue
            word = match.group(0)
            start = offset + match.start()
            letters = [char for char in word if char.isalpha()]
            if len(letters) >= 2 and word.isupper():
                continue
            if any(low <= start and start + len(word) <= high for low, high in bold):
                continue
            return word
    return None


@rule("negative-stem", "a negative question without emphasis")
def negative_stem(view: AssessmentView) -> Iterator[Finding]:
    for item in view.items:
        if item.type not in CHOICE_TYPES:
            continue
        for lang, profile in profiled_languages(view):
            word = unemphasised_negative(item.stem.get(lang, ""), profile.negative_words, profile.subordinators)
            if word:
                yield Finding(
                    item.stem_at.get(lang, item.at),
                    f"the question of {item.id} is negative ('{word}', {lang}) without emphasis: readers skim past "
                    f"it and answer the opposite question; ask positively, or write it in capitals or bold "
                    f"({word.upper()}, **{word}**)",
                    item,
                )
