"""Strict JSON for everything a client sends: statements, documents, ``agent`` parameters, cursors.

``json.loads`` accepts more than any store can keep or any reader can write back out, so every
JSON value from outside goes through :func:`parse_json`, which refuses (400, naming the field):

- text that is not UTF-8, or not JSON (RFC 8259: no ``NaN``/``Infinity`` either);
- numbers that become infinite once parsed (``1e400``), or integers past Python's digit limit;
- nesting deeper than :data:`MAX_DEPTH` (checked without recursion, so 100,000 levels cost
  microseconds and never a ``RecursionError`` later, in a store or an export);
- strings (keys included) holding a lone UTF-16 surrogate (``"\\ud800"``: not Unicode text, so
  UTF-8 writers, SQLite and PostgreSQL all refuse it) or U+0000 (PostgreSQL's ``text`` and
  ``jsonb`` refuse it, and it truncates C strings).

Unicode non-characters (U+FFFE, U+FDD0, ...) are valid scalar values: every store keeps them and
every export writes them, so they are accepted.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from lrs.xapi.errors import bad

#: Deepest nesting of arrays and objects accepted in any JSON from a client. A statement uses
#: about 8 levels before its extensions; 64 leaves extensions room and bounds every later walk.
MAX_DEPTH = 64

#: Characters no string may hold: U+0000 and lone surrogates (a str can hold them, UTF-8 cannot).
_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")
#: JSON escapes that can produce those characters; without any, the strings need no walk.
_RISKY_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


def parse_json(raw: str | bytes, field: str, *, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON value of ``raw``, or a 400 naming ``field`` and the reason."""
    if isinstance(raw, bytes | bytearray):
        try:
            text = bytes(raw).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise bad(field, f"not UTF-8 text (byte {exc.start})") from None
        raw_checked = True  # decoded UTF-8 holds no surrogate, and JSON refuses a raw NUL in strings
    else:
        text = raw
        raw_checked = False
    try:
        value = json.loads(text, parse_constant=_not_a_number, parse_float=_finite_float)
    except RecursionError:
        raise bad(field, f"nested deeper than {max_depth} levels") from None
    except ValueError as exc:  # JSONDecodeError, the hooks' refusals, int digit limit
        raise bad(field, f"not valid JSON ({exc})") from None
    if not _depth_within(value, max_depth):
        raise bad(field, f"nested deeper than {max_depth} levels")
    if (not raw_checked and _FORBIDDEN.search(text)) or _RISKY_ESCAPE.search(text):
        check_strings(value, field)
    return value


def check_text(value: str, field: str) -> str:
    """``value`` unless it holds U+0000 or a lone surrogate (for parameters and headers)."""
    found = _FORBIDDEN.search(value)
    if found:
        raise bad(field, _problem(found.group()))
    return value


def check_strings(value: Any, field: str) -> None:
    """400 when any string (or object key) in ``value`` holds U+0000 or a lone surrogate."""
    level = [value]
    while level:
        deeper = []
        for item in level:
            if isinstance(item, str):
                check_text(item, field)
            elif isinstance(item, dict):
                for key, inner in item.items():
                    check_text(key, field)
                    deeper.append(inner)
            elif isinstance(item, list):
                deeper.extend(item)
        level = deeper


def _depth_within(value: Any, max_depth: int) -> bool:
    """Whether arrays and objects nest at most ``max_depth`` deep (level by level, no recursion)."""
    level = [value] if type(value) in (dict, list) else []
    depth = 0
    while level:
        depth += 1
        if depth > max_depth:
            return False
        deeper = []
        for item in level:
            for inner in item.values() if type(item) is dict else item:
                if type(inner) in (dict, list):
                    deeper.append(inner)
        level = deeper
    return True


def _problem(char: str) -> str:
    if char == "\x00":
        return "contains U+0000 (NUL), which no store keeps"
    return f"contains a lone UTF-16 surrogate (U+{ord(char):04X}), which is not Unicode text"


def _not_a_number(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"number {text[:40]} is out of range")
    return number
