"""Only the key repeats words of the question (a "clang association").

Haladyna, Downing & Rodriguez (2002), guideline 28b: avoid clang associations, choices identical to
or resembling words in the stem; Millman, Bishop & Ebel (1965) list it among test-wise cues. Content
words only (each language's stop words removed), compared after light stemming, so 'separación' in
the question matches 'separarse' in an option. Flagged when the key(s) share such a word with the
question and no distractor shares any.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..registry import Finding, profiled_languages, rule
from ..text import content_stems
from ..view import AssessmentView

CHOICE_TYPES = {"single", "multiple"}


@rule("key-repeats-stem", "only the key repeats words of the question")
def key_repeats_stem(view: AssessmentView) -> Iterator[Finding]:
    for item in view.items:
        if item.type not in CHOICE_TYPES or not item.keys or not item.distractors:
            continue
        echoes = []
        for lang, profile in profiled_languages(view):
            stem = content_stems(item.stem.get(lang, ""), profile)
            key_words = {
                root: word
                for key in item.keys
                for root, word in content_stems(key.text.get(lang, ""), profile).items()
                if root in stem
            }
            distractor_echo = any(
                root in stem
                for option in item.distractors
                for root in content_stems(option.text.get(lang, ""), profile)
            )
            if key_words and not distractor_echo:
                echoes.append(f"{lang}: {', '.join(sorted(key_words.values(), key=str.lower))}")
        if echoes:
            yield Finding(
                item.keys[0].at,
                f"only the key of {item.id} repeats words of the question ({'; '.join(echoes)}): a learner can "
                "match words instead of knowing; reword the key, or let distractors use the question's words too",
                item,
            )
