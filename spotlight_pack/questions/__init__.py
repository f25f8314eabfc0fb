"""The question types: one module each, registered here (adding a type = its module + one line).

``kind_of(question)`` gives the unit that reads, renders, scores and tracks a question; the loader,
the renderer, the player's data and the format builders all go through it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ..model import Question, QuestionType
from .base import Interaction, ItemReader, Patterns, QuestionKind, QuizSource
from .fill_in import FillInKind
from .likert import LikertKind
from .long_fill_in import LongFillInKind
from .matching import MatchingKind
from .multiple import MultipleKind
from .numeric import NumericKind
from .sequencing import SequencingKind
from .single import SingleKind
from .truefalse import TrueFalseKind

KINDS: Mapping[QuestionType, QuestionKind] = MappingProxyType({
    kind.type: kind
    for kind in (
        SingleKind(),
        MultipleKind(),
        TrueFalseKind(),
        FillInKind(),
        LongFillInKind(),
        NumericKind(),
        MatchingKind(),
        SequencingKind(),
        LikertKind(),
    )
})
assert set(KINDS) == set(QuestionType), "every QuestionType needs its unit"


def kind_of(question: Question) -> QuestionKind:
    return KINDS[question.type]


__all__ = ["KINDS", "Interaction", "ItemReader", "Patterns", "QuestionKind", "QuizSource", "kind_of"]
