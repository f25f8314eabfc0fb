"""Errors a designer or an admin can act on: each one says where the problem is."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One problem in a source file or a package, with the place to look.

    ``severity`` is ``error`` (the sources do not build; the package will not import or will not
    track in a real LMS) or ``warning`` (bad practice that matters somewhere, said where; never
    blocking unless the user asks for ``--strict``). ``rule`` is the id of the check that found it: a
    package rule (``docs/validate.md``) or an assessment-lint rule (docs/source-format.md), so it can be
    looked up and silenced on purpose; plain source errors have none. Warnings print as
    ``FILE:LINE: warning: MESSAGE [rule]``.
    """

    where: str
    line: int | None
    message: str
    severity: Severity = "error"
    rule: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def sort_key(self) -> tuple[str, int, str]:
        return (self.where, self.line or 0, self.message)

    def __lt__(self, other: Problem) -> bool:
        # Explicit, so that a problem without a line sorts before one with a line in the same file
        # instead of failing to compare None with an int.
        return self.sort_key() < other.sort_key()

    def __str__(self) -> str:
        place = f"{self.where}:{self.line}" if self.line else self.where
        label = "warning: " if self.severity == "warning" else ""
        rule = f" [{self.rule}]" if self.rule else ""
        return _printable(f"{place}: {label}{self.message}{rule}")

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "where": self.where,
            "line": self.line,
            "message": self.message,
        }


_CONTROL = {code: f"\\x{code:02x}" for code in [*range(0x20), 0x7F]}


def _printable(text: str) -> str:
    """One line whatever a hostile file or entry name holds: control characters are escaped."""
    return text.translate(_CONTROL)


class SpotlightError(Exception):
    """Base class of every error the library raises on purpose (never a bug)."""


class SourceError(SpotlightError):
    """A course's sources have problems; nothing was built from them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class BuildError(SpotlightError):
    """A package could not be produced (for a reason other than the sources)."""


def display_path(path: Path) -> str:
    """A path as the user typed it, relative to the working directory when possible.

    Symbolic links are not followed: a problem about ``media/x.svg`` names ``media/x.svg``, never the
    file the link points to.
    """
    absolute = Path(os.path.abspath(path))
    try:
        return str(absolute.relative_to(Path(os.path.abspath(Path.cwd()))))
    except ValueError:
        return str(path)
