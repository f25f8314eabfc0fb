"""``single``: one correct option among 2–10; a radio group."""

from __future__ import annotations

from ..model import QuestionBody, QuestionType
from .base import ItemReader, read_options
from .choice import ChoiceBody, ChoiceKind


class SingleKind(ChoiceKind):
    type = QuestionType.SINGLE
    keys = frozenset({"options"})
    hint = "chooseOne"

    def read(self, item: ItemReader) -> QuestionBody | None:
        options = read_options(item, "options")
        if options is None:
            return None
        correct = sum(option.correct for option in options)
        if correct != 1:
            item.error(f"a single question needs exactly one correct option (has {correct})", "options")
            return None
        return ChoiceBody(tuple(options))
