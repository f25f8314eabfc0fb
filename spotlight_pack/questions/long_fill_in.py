"""``long-fill-in``: an open answer (up to 4,000 characters) that is never scored.

The answer reaches the LMS or LRS for a tutor or analyst to read. SCORM 1.2 has no long-fill-in
type, so there it is a ``fill-in`` whose response is cut to the 255 characters CMIFeedback holds;
SCORM 2004 and xAPI record ``long-fill-in``. No correct-responses pattern anywhere (result
``neutral``, no xAPI ``success``). General ``feedback`` can say what a good answer covers.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Question, QuestionBody, QuestionType
from .base import Interaction, ItemReader, Patterns, QuestionKind

MAX_LENGTH = 4000  # SCORM 2004 learner_response for long-fill-in: localized_string_type SPM 4000


@dataclass(frozen=True)
class LongFillInBody(QuestionBody):
    pass


class LongFillInKind(QuestionKind):
    type = QuestionType.LONG_FILL_IN
    scored = False
    interaction = Interaction("fill-in", "long-fill-in", "long-fill-in")
    template = "long-fill-in.html.j2"
    scripts = ("questions/fill-in.js", "questions/long-fill-in.js")
    styles = ("questions/text.css",)
    hint = "writeAnswer"

    def read(self, item: ItemReader) -> QuestionBody | None:
        return LongFillInBody()

    def layout(self, question: Question) -> str:
        return "text"

    def patterns(self, question: Question, lang: str, locale: str) -> Patterns:
        return Patterns(None, None, None)
