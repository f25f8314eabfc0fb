"""``sequencing``: put 2–10 ``steps`` in order. The steps are written in the correct order; the
page shows them in another order (shuffled again per attempt) and the learner moves them with
Up/Down buttons (no drag and drop).

Tracked as ``sequencing``: SCORM 1.2 identifies steps by one letter, a-j in the order the page's
source lists them (``c,a,b``, never the written order); SCORM 2004 and xAPI by id
(``s1[,]s2[,]s3``); xAPI lists the steps as ``choices`` (the component list the xAPI spec gives
sequencing).
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
    scrambled,
)


@dataclass(frozen=True)
class SequencingBody(QuestionBody):
    steps: tuple[Component, ...]  # in the correct order


class SequencingKind(QuestionKind):
    type = QuestionType.SEQUENCING
    keys = frozenset({"steps"})
    shuffles = True
    interaction = Interaction("sequencing", "sequencing", "sequencing")
    template = "sequencing.html.j2"
    scripts = ("questions/sequencing.js",)
    styles = ("questions/sequencing.css",)
    hint = "putInOrder"

    def read(self, item: ItemReader) -> QuestionBody | None:
        steps = read_components(item, "steps", 2, len(OPTION_IDS), "steps")
        return None if steps is None else SequencingBody(tuple(steps))

    def _steps(self, question: Question) -> tuple[Component, ...]:
        assert isinstance(question.body, SequencingBody)
        return question.body.steps

    def layout(self, question: Question) -> str:
        return ",".join(step.id for step in self._steps(question))

    def shown_steps(self, question: Question) -> list[Component]:
        """The steps as the page's source lists them: never in the correct order."""
        return scrambled(self._steps(question), question.id, lambda item: item.id)

    def public(self, question: Question, lang: str, plain: Inline) -> dict[str, Any]:
        return {"steps": component_data(self.shown_steps(question), lang, plain)}

    def key(self, question: Question, lang: str) -> Any:
        return [step.id for step in self._steps(question)]

    def patterns(self, question: Question, lang: str, locale: str) -> Patterns:
        steps = self._steps(question)
        shown = [step.id for step in self.shown_steps(question)]
        return Patterns(
            (",".join(OPTION_IDS[shown.index(step.id)] for step in steps),),
            ("[,]".join(step.id for step in steps),),
            ("[,]".join(step.id for step in steps),),
        )
