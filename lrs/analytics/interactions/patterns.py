"""The response syntax of xAPI 1.0.3 (Data 2.4.4.1.1, "Response Patterns" and "Characterstring
parameters"), shared by ``result.response`` and ``correctResponsesPattern``:

- lists are delimited by ``[,]``; matching pairs and performance steps by ``[.]``; numeric
  ranges by ``[:]`` (``4[:]`` at least 4, ``[:]4`` at most 4, ``3[:]5``, or a single number);
- ``{case_matters=true|false}`` (default false) and ``{order_matters=true|false}`` (default true)
  may open the whole string (fill-in, long-fill-in; order_matters also performance);
- ``{lang=TAG}`` may open each item (fill-in, long-fill-in, performance strings).

The spec leaves interpretation to the reader (its parameters "are not validated by the LRS"),
so unreadable parts are taken as plain text, never an error.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

LIST = "[,]"
PAIR = "[.]"
RANGE = "[:]"
_LEADING = re.compile(r"^\{(case_matters|order_matters)=(true|false)\}")
_LANG = re.compile(r"^\{lang=([A-Za-z0-9-]*)\}")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Pattern:
    """A response (or a correct-responses pattern) read into items and its parameters."""

    items: tuple[str, ...]
    case_matters: bool = False
    order_matters: bool = True


def parse(text: str) -> Pattern:
    """Leading ``{case_matters=..}{order_matters=..}`` (either order), then ``[,]``-items, each
    without its ``{lang=..}``."""
    flags = {"case_matters": False, "order_matters": True}
    rest = text
    while match := _LEADING.match(rest):
        flags[match.group(1)] = match.group(2) == "true"
        rest = rest[match.end():]
    items = tuple(strip_lang(item) for item in rest.split(LIST)) if rest else ()
    return Pattern(items, **flags)


def strip_lang(item: str) -> str:
    match = _LANG.match(item)
    return item[match.end():] if match else item


def ids(text: str) -> tuple[str, ...]:
    """A ``[,]`` list of ids (choice, sequencing), empty items dropped."""
    return tuple(filter(None, text.split(LIST)))


def pairs(text: str) -> tuple[tuple[str, str], ...]:
    """``a[.]1[,]b[.]2`` as (source, target) pairs (a missing half is "")."""
    found = []
    for part in ids(text):
        left, _, right = part.partition(PAIR)
        found.append((left, right))
    return tuple(found)


def normalise_text(text: str, case_matters: bool = False) -> str:
    """A typed answer for counting: Unicode NFC, surrounding and repeated white space removed,
    case folded unless the key says ``case_matters=true``."""
    text = _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return text if case_matters else text.casefold()


def number(text: str) -> float | None:
    """A response's number (decimal point; ``,`` as a decimal comma too), None if not one."""
    text = text.strip().replace(",", ".") if text.count(",") == 1 and "." not in text else text.strip()
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class Range:
    """A numeric pattern: ``low``/``high`` None when open."""

    low: float | None
    high: float | None

    def __contains__(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def text(self) -> str:
        low = "" if self.low is None else f"{self.low:g}"
        high = "" if self.high is None else f"{self.high:g}"
        if self.low is not None and self.low == self.high:
            return low
        if self.low is None:
            return f"≤ {high}"
        if self.high is None:
            return f"≥ {low}"
        return f"{low}–{high}"


def numeric_range(text: str) -> Range | None:
    """``min[:]max`` with either side optional, or a single number; None if unreadable."""
    if RANGE not in text:
        value = number(text)
        return None if value is None else Range(value, value)
    low_text, _, high_text = text.partition(RANGE)
    low = number(low_text) if low_text.strip() else None
    high = number(high_text) if high_text.strip() else None
    if (low_text.strip() and low is None) or (high_text.strip() and high is None):
        return None
    return Range(low, high)
