"""``multiple``: one or more correct options among 2–10; check boxes; right only when the learner
picks exactly the correct set."""

from __future__ import annotations

from ..model import QuestionBody, QuestionType
from .base import ItemReader, read_options
from .choice import ChoiceBody, ChoiceKind


class MultipleKind(ChoiceKind):
    type = QuestionType.MULTIPLE
    keys = frozenset({"options"})
    hint = "chooseAll"
    input = "checkbox"

    def read(self, item: ItemReader) -> QuestionBody | None:
        options = read_options(item, "options")
        if options is None:
            return None
        if not any(option.correct for option in options):
            item.error("a multiple question needs at least one correct option", "options")
            return None
        return ChoiceBody(tuple(options))
