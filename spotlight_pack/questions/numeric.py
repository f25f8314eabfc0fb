"""``numeric``: a typed number, right when it equals ``answer`` or lies within ``min``..``max``
(either bound may be left out).

Learners may type a decimal point or comma. Tracked as ``numeric``: SCORM 2004 and xAPI patterns
are ranges ``min[:]max`` (xAPI: a single number for an exact answer); SCORM 1.2's pattern is a
single number, so a range writes no pattern there.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..model import Question, QuestionBody, QuestionType
from .base import Interaction, ItemReader, Patterns, QuestionKind, plain_number

LIMIT = Decimal("1e10")  # SCORM 2004 real(10,7): at most ten digits before the point


@dataclass(frozen=True)
class NumericBody(QuestionBody):
    minimum: Decimal | None
    maximum: Decimal | None

    @property
    def exact(self) -> bool:
        return self.minimum is not None and self.minimum == self.maximum


class NumericKind(QuestionKind):
    type = QuestionType.NUMERIC
    keys = frozenset({"answer", "min", "max"})
    interaction = Interaction("numeric", "numeric", "numeric")
    template = "numeric.html.j2"
    scripts = ("questions/numeric.js",)
    styles = ("questions/text.css",)
    hint = "typeNumber"

    def read(self, item: ItemReader) -> QuestionBody | None:
        values: dict[str, Decimal | None] = {}
        for key in ("answer", "min", "max"):
            raw = item.value(key)
            if raw is None and not item.has(key):
                values[key] = None
            elif isinstance(raw, bool) or not isinstance(raw, int | float) or not abs(Decimal(str(raw))) < LIMIT:
                item.error(f"{key} must be a number below 10 000 000 000, written with a point (3.5), got {raw!r}", key)
                values[key] = None
            else:
                values[key] = Decimal(str(raw))
        if not item.ok:
            return None
        answer, low, high = values["answer"], values["min"], values["max"]
        if answer is not None and (low is not None or high is not None):
            item.error("give either answer (exact) or min and/or max (a range), not both", "answer")
            return None
        if answer is not None:
            return NumericBody(answer, answer)
        if low is None and high is None:
            item.error("a numeric question needs 'answer: N' or a range 'min: N' and/or 'max: N'")
            return None
        if low is not None and high is not None and low > high:
            item.error(f"min ({plain_number(low)}) is larger than max ({plain_number(high)})", "min")
            return None
        return NumericBody(low, high)

    def layout(self, question: Question) -> str:
        return "number"

    def key(self, question: Question, lang: str) -> Any:
        body = question.body
        assert isinstance(body, NumericBody)
        return {
            "min": None if body.minimum is None else plain_number(body.minimum),
            "max": None if body.maximum is None else plain_number(body.maximum),
        }

    def patterns(self, question: Question, lang: str, locale: str) -> Patterns:
        body = question.body
        assert isinstance(body, NumericBody)
        low = "" if body.minimum is None else plain_number(body.minimum)
        high = "" if body.maximum is None else plain_number(body.maximum)
        ranged = f"{low}[:]{high}"
        if body.exact:
            return Patterns((low,), (ranged,), (low,))
        return Patterns(None, (ranged,), (ranged,))
