"""``fill-in``: a short typed answer, right when it equals one of the accepted answers.

``answers`` lists 1–5 accepted answers per language (SCORM 2004 LMSs must keep five correct
responses); ``case_matters`` and ``accents_matter`` (both false by default) say how strictly they
are compared. Spaces around and between words never matter. Tracked as ``fill-in``: SCORM 1.2
patterns are the answers as written; SCORM 2004 and xAPI patterns are
``{case_matters=false}{lang=es-MX}answer`` (xAPI Data 2.4.4.1, characterstring parameters). The
player decides correctness (accent rules have no standard delimiter).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from ..model import Question, QuestionBody, QuestionType
from .base import Interaction, ItemReader, Patterns, QuestionKind, lang_prefix

MAX_ANSWERS = 5
MAX_LENGTH = 200  # with the {case_matters=…}{lang=…} prefix, within SCORM 2004's 250 characters
_SPACES = re.compile(r"\s+")


def normalize(text: str, case_matters: bool, accents_matter: bool) -> str:
    """How a typed answer is compared (the same rules as runtime/questions/fill-in.js)."""
    text = _SPACES.sub(" ", text.strip())
    if not case_matters:
        text = text.lower()
    if not accents_matter:
        text = re.sub("[\u0300-\u036f]", "", unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class FillInBody(QuestionBody):
    answers: tuple[tuple[str, tuple[str, ...]], ...]  # (lang, accepted answers), in course language order
    case_matters: bool = False
    accents_matter: bool = False

    def accepted(self, lang: str) -> tuple[str, ...]:
        return dict(self.answers)[lang]


class FillInKind(QuestionKind):
    type = QuestionType.FILL_IN
    keys = frozenset({"answers", "case_matters", "accents_matter"})
    interaction = Interaction("fill-in", "fill-in", "fill-in")
    template = "fill-in.html.j2"
    scripts = ("questions/fill-in.js",)
    styles = ("questions/text.css",)
    hint = "typeAnswer"

    def read(self, item: ItemReader) -> QuestionBody | None:
        case_matters = item.flag("case_matters", False)
        accents_matter = item.flag("accents_matter", False)
        raw = item.value("answers")
        if not isinstance(raw, dict):
            item.error(
                "answers gives the accepted answers per language, e.g. answers: {es: [feminicidio], en: [femicide]}",
                "answers",
            )
            return None
        found: list[tuple[str, tuple[str, ...]]] = []
        for lang in item.languages:
            value = raw.get(lang)
            values = [value] if isinstance(value, str | int | float) and not isinstance(value, bool) else value
            if not isinstance(values, list) or not 1 <= len(values) <= MAX_ANSWERS:
                item.error(f"answers needs 1 to {MAX_ANSWERS} accepted answers in '{lang}'", "answers", lang)
                continue
            answers: list[str] = []
            seen: dict[str, str] = {}
            for entry in values:
                textual = isinstance(entry, str | int | float) and not isinstance(entry, bool)
                text = str(entry).strip() if textual else ""
                if not text:
                    item.error(f"an accepted answer in '{lang}' is empty or not text", "answers", lang)
                elif len(text) > MAX_LENGTH:
                    item.error(f"accepted answer '{text[:30]}…' is over {MAX_LENGTH} characters", "answers", lang)
                elif (same := normalize(text, case_matters, accents_matter)) in seen:
                    item.error(
                        f"accepted answers '{seen[same]}' and '{text}' are the same under the case and accent rules",
                        "answers",
                        lang,
                    )
                else:
                    seen[same] = text
                    answers.append(text)
            found.append((lang, tuple(answers)))
        for extra in sorted(set(raw) - set(item.languages), key=str):
            item.error(f"answers has '{extra}', which is not a course language", "answers", extra)
        if not item.ok:
            return None
        return FillInBody(tuple(found), case_matters, accents_matter)

    def layout(self, question: Question) -> str:
        return "text"

    def key(self, question: Question, lang: str) -> Any:
        body = question.body
        assert isinstance(body, FillInBody)
        accepted = body.accepted(lang)
        return {
            "answers": [normalize(answer, body.case_matters, body.accents_matter) for answer in accepted],
            "case": body.case_matters,
            "accents": body.accents_matter,
            "show": accepted[0],
        }

    def patterns(self, question: Question, lang: str, locale: str) -> Patterns:
        body = question.body
        assert isinstance(body, FillInBody)
        accepted = body.accepted(lang)
        flags = "{case_matters=" + ("true" if body.case_matters else "false") + "}" + lang_prefix(locale)
        tagged = tuple(flags + answer for answer in accepted)
        return Patterns(accepted, tagged, tagged)
