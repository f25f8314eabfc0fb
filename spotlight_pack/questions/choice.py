"""What ``single``, ``multiple`` and ``truefalse`` share: the learner picks among options with a key.

Tracked as SCORM/xAPI ``choice`` (``true-false`` for truefalse): SCORM 1.2 lists the one-letter
option ids with commas (``a,c``), SCORM 2004 and xAPI with ``[,]`` (``a[,]c``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..model import Option, Question, QuestionBody
from .base import Inline, Interaction, Patterns, QuestionKind


@dataclass(frozen=True)
class ChoiceBody(QuestionBody):
    choices: tuple[Option, ...]

    @property
    def options(self) -> tuple[Option, ...]:
        return self.choices


class ChoiceKind(QuestionKind):
    """Base of the option-picking types (not registered itself)."""

    shuffles = True
    interaction = Interaction("choice", "choice", "choice")
    template = "choice.html.j2"
    scripts = ("questions/choice.js",)
    input = "radio"  # the form control of one option

    def public(self, question: Question, lang: str, plain: Inline) -> dict[str, Any]:
        return {"options": [{"id": option.id, "text": plain(option.text[lang])} for option in question.options]}

    def key(self, question: Question, lang: str) -> Any:
        return list(question.correct_ids)

    def patterns(self, question: Question, lang: str, locale: str) -> Patterns:
        ids = question.correct_ids
        return Patterns((",".join(ids),), ("[,]".join(ids),), ("[,]".join(ids),))

    def feedback(self, question: Question, lang: str, html: Inline) -> dict[str, str]:
        return {option.id: html(option.feedback[lang]) for option in question.options if option.feedback}
