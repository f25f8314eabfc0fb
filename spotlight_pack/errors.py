"""Errors a designer or an admin can act on: each one says where the problem is."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in a source file or a package, with the place to look.

    ``severity`` is ``"error"`` (nothing is built) or ``"warning"`` (reported, never blocking unless the
    user asks for ``--strict``); ``rule`` names the check that found it, so it can be looked up and
    silenced on purpose. Errors print as ``FILE:LINE: MESSAGE``, warnings as
    ``FILE:LINE: warning: MESSAGE [rule]`` (the form compilers and linters use); the ``[rule]`` suffix
    appears whenever there is a rule.
    """

    where: str
    line: int | None
    message: str
    severity: str = "error"
    rule: str = ""

    def __str__(self) -> str:
        place = f"{self.where}:{self.line}" if self.line else self.where
        label = "warning: " if self.severity == "warning" else ""
        return f"{place}: {label}{self.message}" + (f" [{self.rule}]" if self.rule else "")


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
    """A path as the user typed it relative to the working directory, when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
