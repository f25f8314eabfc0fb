"""``long-fill-in``: an open answer (up to 4,000 characters) that is never scored by the package.

The answer reaches the LMS or LRS for a tutor or analyst to read. SCORM 1.2 has no long-fill-in
type, so there it is a ``fill-in`` whose response is cut to the 255 characters CMIFeedback holds;
SCORM 2004 and xAPI record ``long-fill-in``. No correct-responses pattern anywhere (result
``neutral``, no xAPI ``success``). General ``feedback`` can say what a good answer covers.

An optional ``rubric`` (a text per language) says what the answer is judged on. The learner reads
it with the question, before answering; the tutor reads it beside the answer: in xAPI it is the
extension ``RUBRIC_EXTENSION`` of the interaction activity's definition (a language map with every
course language, the contract with the analytics), in SCORM 2004 the interaction's ``description`` (cut to the 250
characters that element holds). SCORM 1.2 interactions have no element for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..model import Question, QuestionBody, QuestionType, Text
from .base import Inline, Interaction, ItemReader, Patterns, QuestionKind

MAX_LENGTH = 4000  # SCORM 2004 learner_response for long-fill-in: localized_string_type SPM 4000
RUBRIC_EXTENSION = "https://spotlight-pack.org/xapi/extensions/rubric"
MAX_RUBRIC = 1000  # characters per language: it travels in every answered statement's definition


@dataclass(frozen=True)
class LongFillInBody(QuestionBody):
    rubric: Text | None = None


class LongFillInKind(QuestionKind):
    type = QuestionType.LONG_FILL_IN
    keys = frozenset({"rubric"})
    scored = False
    interaction = Interaction("fill-in", "long-fill-in", "long-fill-in")
    template = "long-fill-in.html.j2"
    scripts = ("questions/fill-in.js", "questions/long-fill-in.js")
    styles = ("questions/text.css",)
    hint = "writeAnswer"

    def read(self, item: ItemReader) -> QuestionBody | None:
        rubric = item.text("rubric", required=False)
        if rubric is None:
            return None if item.has("rubric") else LongFillInBody()
        for lang in item.languages:
            if len(rubric[lang]) > MAX_RUBRIC:
                item.error(f"the rubric is at most {MAX_RUBRIC} characters ('{lang}' has {len(rubric[lang])})",
                           "rubric", lang)
        return LongFillInBody(rubric) if item.ok else None

    def layout(self, question: Question) -> str:
        return "text"

    def public(self, question: Question, lang: str, plain: Inline) -> dict[str, Any]:
        """The rubric is shown before the answer, so it is public (plain text: the SCORM description
        carries it as text)."""
        rubric = _rubric(question)
        return {"rubric": plain(rubric[lang])} if rubric else {}

    def extensions(self, question: Question, locales: Mapping[str, str], plain: Inline) -> dict[str, Any]:
        """The rubric in every course language (plain text), whichever language's package answers: an
        LRS keeps one definition per activity and replaces extensions rather than merging them."""
        rubric = _rubric(question)
        if rubric is None:
            return {}
        return {RUBRIC_EXTENSION: {locales.get(lang, lang): plain(rubric[lang]) for lang in rubric.langs()}}

    def patterns(self, question: Question, lang: str, locale: str) -> Patterns:
        return Patterns(None, None, None)


def _rubric(question: Question) -> Text | None:
    return question.body.rubric if isinstance(question.body, LongFillInBody) else None
