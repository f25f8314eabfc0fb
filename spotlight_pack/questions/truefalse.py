"""``truefalse``: ``answer: true|false``; optional ``feedback_true`` / ``feedback_false``.

Two options with ids ``true`` and ``false`` (labels in the course language), never shuffled.
Tracked as ``true-false``: SCORM 1.2 writes ``t``/``f``, SCORM 2004 and xAPI ``true``/``false``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Option, Question, QuestionBody, QuestionType, Text
from .base import Interaction, ItemReader, Patterns
from .choice import ChoiceKind

LABELS = {"es": ("Verdadero", "Falso"), "en": ("True", "False")}


@dataclass(frozen=True)
class TrueFalseBody(QuestionBody):
    answer: bool
    feedback_true: Text | None
    feedback_false: Text | None
    languages: tuple[str, ...]

    @property
    def options(self) -> tuple[Option, ...]:
        labels = {lang: LABELS.get(lang, LABELS["en"]) for lang in self.languages}
        return (
            Option("true", Text.of({lang: pair[0] for lang, pair in labels.items()}), self.feedback_true, self.answer),
            Option("false", Text.of({lang: pair[1] for lang, pair in labels.items()}), self.feedback_false,
                   not self.answer),
        )


class TrueFalseKind(ChoiceKind):
    type = QuestionType.TRUE_FALSE
    keys = frozenset({"answer", "feedback_true", "feedback_false"})
    shuffles = False  # "true" before "false" is what learners expect
    interaction = Interaction("true-false", "true-false", "true-false")
    scripts = ("questions/choice.js", "questions/truefalse.js")
    hint = "chooseOne"

    def read(self, item: ItemReader) -> QuestionBody | None:
        answer = item.value("answer")
        if not isinstance(answer, bool):
            item.error("a truefalse question needs 'answer: true' or 'answer: false'", "answer")
        feedback_true = item.text("feedback_true", required=False)
        feedback_false = item.text("feedback_false", required=False)
        if not isinstance(answer, bool) or not item.ok:
            return None
        return TrueFalseBody(answer, feedback_true, feedback_false, item.languages)

    def patterns(self, question: Question, lang: str, locale: str) -> Patterns:
        answer = question.correct_ids[0]
        return Patterns((answer[0],), (answer,), (answer,))
