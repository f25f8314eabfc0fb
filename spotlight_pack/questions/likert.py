"""``likert``: a survey item on a ``scale`` of 2–10 points, in the written order; never scored.

Tracked as ``likert`` with no correct-responses pattern (the xAPI spec: omitted when any answer is
right) and result ``neutral``. SCORM 1.2 identifies points by one character, 0-9 in written order;
SCORM 2004 and xAPI by id; xAPI lists the points as ``scale``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..model import Question, QuestionBody, QuestionType
from .base import (
    OPTION_IDS,
    Component,
    Inline,
    Interaction,
    ItemReader,
    Patterns,
    QuestionKind,
    component_data,
    read_components,
)


@dataclass(frozen=True)
class LikertBody(QuestionBody):
    scale: tuple[Component, ...]


class LikertKind(QuestionKind):
    type = QuestionType.LIKERT
    keys = frozenset({"scale"})
    scored = False
    interaction = Interaction("likert", "likert", "likert")
    template = "likert.html.j2"
    scripts = ("questions/likert.js",)
    hint = "chooseOne"

    def read(self, item: ItemReader) -> QuestionBody | None:
        scale = read_components(item, "scale", 2, len(OPTION_IDS), "points")
        return None if scale is None else LikertBody(tuple(scale))

    def _scale(self, question: Question) -> tuple[Component, ...]:
        assert isinstance(question.body, LikertBody)
        return question.body.scale

    def layout(self, question: Question) -> str:
        return ",".join(point.id for point in self._scale(question))

    def public(self, question: Question, lang: str, plain: Inline) -> dict[str, Any]:
        return {"scale": component_data(self._scale(question), lang, plain)}

    def patterns(self, question: Question, lang: str, locale: str) -> Patterns:
        return Patterns(None, None, None)
