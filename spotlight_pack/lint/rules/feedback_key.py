"""Feedback that contradicts the key: a wrong option's feedback opens with "Correct", the key's with "No".

An answer key and its feedback written apart drift apart when options are reordered or the key is
changed; the learner then reads "Correct" after a wrong answer. Haladyna, Downing & Rodriguez (2002),
guideline 11 (edit and proof items) and guideline 19 (only one right answer) are what this checks
mechanically. Bare "Yes." / "No." openers are not judged in true/false items, where "No, never" can
agree with a 'false' key.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..registry import Finding, profiled_languages, rule
from ..text import opener
from ..view import AssessmentView, ItemView, OptionView


def _quote(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return f"“{text[:limit].rstrip()}…”" if len(text) > limit else f"“{text}”"


def _label(item: ItemView, option: OptionView) -> str:
    if item.type == "truefalse":
        return f"the feedback for answering '{option.id}'"
    return f"the feedback of option {option.id}"


@rule("feedback-contradicts-key", "feedback says right for a wrong option, or wrong for the key")
def feedback_contradicts_key(view: AssessmentView) -> Iterator[Finding]:
    for item in view.items:
        for option in item.options:
            contradictions = []
            for lang, profile in profiled_languages(view):
                start = opener(option.feedback.get(lang, ""))
                yes, no = profile.yes_no_openers
                ambiguous = item.type == "truefalse"
                if option.correct:
                    wrong = profile.wrong_openers.match(start) or (not ambiguous and no.match(start))
                    if wrong:
                        contradictions.append(f"{lang}: {_quote(option.feedback[lang])}")
                else:
                    right = profile.right_openers.match(start) or (not ambiguous and yes.match(start))
                    if right:
                        contradictions.append(f"{lang}: {_quote(option.feedback[lang])}")
            if contradictions:
                verdict = "the key, but it says wrong" if option.correct else "a wrong answer, but it says right"
                yield Finding(
                    option.feedback_at,
                    f"{_label(item, option)} of {item.id} is for {verdict} ({'; '.join(contradictions)}): "
                    "check the key and the feedback",
                    item,
                )
